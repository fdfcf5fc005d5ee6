import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot, webhookVariable } from '@otelkit/stack';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = repoRoot();
const SIGNALS = ['TRACES', 'METRICS', 'LOGS'];

/** Files under `dir` (repo-relative) whose names pass `keep`, skipping dependencies and builds. */
function files(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (!entry.isFile() || !keep(entry.name)) continue;
    if (/\/(node_modules|dist|public|fixtures|testing)\//.test(path)) continue;
    out.push(relative(root, path));
  }
  return out;
}

function matches(text: string, pattern: RegExp): string[] {
  return [...text.matchAll(pattern)].map((m) => m[1] ?? '').filter(Boolean);
}

/** `OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_ENDPOINT` → the three names. */
function expandBraces(name: string): string[] {
  const m = /^(.*)\{([^}]+)\}(.*)$/.exec(name);
  if (!m) return [name];
  const [, head = '', alternatives = '', tail = ''] = m;
  return alternatives.split(',').flatMap((alt) => expandBraces(`${head}${alt.trim()}${tail}`));
}

/** Every environment variable the shipped code and configs read, with where it is read. */
function variablesReadByCode(): Map<string, string> {
  const found = new Map<string, string>();
  const add = (names: string[], where: string) => {
    for (const name of names) if (!found.has(name)) found.set(name, where);
  };
  for (const file of files('collector', (n) => n.endsWith('.yaml'))) {
    add(matches(readFileSync(join(root, file), 'utf8'), /\$\{env:([A-Z][A-Z0-9_]*)/g), file);
  }
  // Compose interpolation: ${NAME}, ${NAME:-default}, ${NAME:?error}.
  add(
    matches(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), /\$\{([A-Z][A-Z0-9_]*)[:}]/g),
    'docker-compose.yml',
  );
  const sources = [
    ...files('packages', (n) => /\.(ts|mts|cts)$/.test(n) && !n.endsWith('.test.ts') && !n.endsWith('.d.ts')),
    ...files('examples', (n) => /\.(mjs|cjs|js)$/.test(n)),
  ];
  for (const file of sources) {
    const text = readFileSync(join(root, file), 'utf8');
    // process.env.NAME, process.env['NAME'] and `const env = process.env; env.NAME`.
    add(matches(text, /\benv\.([A-Z][A-Z0-9_]*)\b/g), file);
    add(matches(text, /\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]/g), file);
  }
  // The Node SDK reads the OTEL_* variables through small parsers: text('OTEL_…'), and per
  // signal `OTEL_EXPORTER_OTLP_${key}_ENDPOINT`.
  const envReader = 'packages/node/src/config/env.ts';
  const envText = readFileSync(join(root, envReader), 'utf8');
  add(matches(envText, /['"](OTEL(?:KIT)?_[A-Z0-9_]+)['"]/g), envReader);
  for (const template of matches(envText, /`(OTEL_[A-Z0-9_]*\$\{key\}[A-Z0-9_]*)`/g)) {
    add(
      SIGNALS.map((signal) => template.replace(/\$\{key\}/, signal)),
      envReader,
    );
  }
  // Alertmanager receivers' webhook URLs: one variable per receiver with a webhook.
  const alertmanager = parse(readFileSync(join(root, 'prometheus/alertmanager.yml'), 'utf8')) as {
    receivers?: { name: string; webhook_configs?: unknown[] }[];
  };
  add(
    (alertmanager.receivers ?? [])
      .filter((r) => r.webhook_configs?.length)
      .map((r) => webhookVariable(r.name)),
    'prometheus/alertmanager.yml (renderAlertmanagerConfig)',
  );
  return found;
}

/** Variables named in the first column of the README's settings tables and in its prose there. */
function readmeSettings(): { listed: Set<string>; firstColumn: Set<string> } {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Settings\n');
  const end = readme.indexOf('\n## ', start + 1);
  expect(start, 'README.md has a "## Settings" section').toBeGreaterThan(-1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const names = (text: string) =>
    matches(text, /`([A-Z][A-Z0-9_]*(?:\{[A-Z0-9_,]+\}[A-Z0-9_]*)*)`/g).flatMap(expandBraces);
  const firstColumn = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => names(line.split('|')[1] ?? ''));
  return { listed: new Set(names(section)), firstColumn: new Set(firstColumn) };
}

describe('README settings', () => {
  it('lists every environment variable the code and configs read', () => {
    const code = variablesReadByCode();
    // Sanity: the scan finds variables of each kind, so an empty scan cannot pass.
    for (const name of [
      'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
      'OTELKIT_TAIL_NUM_TRACES',
      'GRAFANA_ADMIN_PASSWORD',
      'REDIS_URL',
    ]) {
      expect(code.has(name), `${name} found in the code`).toBe(true);
    }
    const { listed } = readmeSettings();
    const missing = [...code]
      .filter(([name]) => !listed.has(name))
      .map(([name, where]) => `${name} (${where})`);
    expect(missing, 'variables read by the code but missing from README.md "## Settings"').toEqual([]);
  });

  it('lists no variable that nothing reads', () => {
    const code = variablesReadByCode();
    const stale = [...readmeSettings().firstColumn].filter((name) => !code.has(name));
    expect(stale, 'README.md settings that no code or config reads').toEqual([]);
  });
});
