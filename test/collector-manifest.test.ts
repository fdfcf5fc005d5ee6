import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Binaries, provision, repoRoot } from '@otelkit/stack';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = repoRoot();
const KINDS = ['receivers', 'processors', 'exporters', 'connectors', 'extensions'] as const;
type Kind = (typeof KINDS)[number];

/** Every Collector config in the repo, relative to collector/: the pipeline, the sink, the scale-out tiers. */
const CONFIG_FILES = [
  'config.yaml',
  'sink.yaml',
  ...readdirSync(join(root, 'collector', 'scale'))
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => `scale/${file}`),
];

/**
 * How each config runs, as the `--config` files of one Collector: scale/gateway.yaml is an overlay
 * merged over config.yaml, so it is validated that way.
 */
const RUNNABLE_CONFIGS = [
  ['config.yaml'],
  ['sink.yaml'],
  ['scale/agent.yaml'],
  ['config.yaml', 'scale/gateway.yaml'],
];

/** Component types a Collector config uses, by kind (`otlp_http/loki` uses type `otlp_http`). */
function usedTypes(file: string): Map<Kind, Set<string>> {
  const config = parse(readFileSync(join(root, 'collector', file), 'utf8')) as Partial<Record<Kind, object>>;
  return new Map(
    KINDS.map((kind) => [kind, new Set(Object.keys(config[kind] ?? {}).map((id) => id.split('/')[0] ?? id))]),
  );
}

interface ComponentsOutput {
  buildinfo: { version: string };
  providers?: { module: string }[];
  [kind: string]: unknown;
}

describe('Collector distribution', () => {
  let binaries: Binaries;
  let components: ComponentsOutput;
  beforeAll(async () => {
    binaries = await provision();
    components = parse(
      execFileSync(binaries.collector.binary, ['components'], { encoding: 'utf8' }),
    ) as ComponentsOutput;
  });

  it('validates every config, as it runs, with the built binary', () => {
    // A config file added without a way to run it here would go unvalidated.
    expect(new Set(RUNNABLE_CONFIGS.flat())).toEqual(new Set(CONFIG_FILES));
    for (const files of RUNNABLE_CONFIGS) {
      const args = files.flatMap((file) => ['--config', join(root, 'collector', file)]);
      execFileSync(binaries.collector.binary, ['validate', ...args], {
        env: { ...process.env, OTELKIT_SINK_DIR: '/tmp', OTELKIT_GATEWAY_ID: 'gateway-1' },
        stdio: 'pipe',
      });
    }
  });

  it('lists exactly the components the configs use, no more and no fewer', () => {
    const manifest = parse(readFileSync(join(root, 'collector', 'builder-config.yaml'), 'utf8')) as Record<
      Kind,
      { gomod: string }[]
    >;
    const configs = CONFIG_FILES.map(usedTypes);
    for (const kind of KINDS) {
      const built = components[kind] as { name: string; module: string }[];
      const manifestModules = new Set((manifest[kind] ?? []).map((entry) => entry.gomod.split(' ')[0]));
      // The binary was built from this manifest: same modules, so the type names below are real.
      expect(new Set(built.map((c) => c.module.split(' ')[0])), kind).toEqual(manifestModules);
      const used = new Set(configs.flatMap((config) => [...(config.get(kind) ?? [])]));
      expect(new Set(built.map((c) => c.name)), `${kind}: manifest vs ${CONFIG_FILES.join(' ∪ ')}`).toEqual(
        used,
      );
    }
  });

  it('pins one release: every v0 module at dist.version, providers at one v1 release', () => {
    const text = readFileSync(join(root, 'collector', 'builder-config.yaml'), 'utf8');
    const version = (parse(text) as { dist: { version: string } }).dist.version;
    const pins = [...text.matchAll(/gomod:\s*\S+\s+(v\S+)/g)].map((m) => m[1] ?? '');
    expect(pins.length).toBeGreaterThan(10);
    expect(new Set(pins.filter((v) => v.startsWith('v0.')))).toEqual(new Set([`v${version}`]));
    expect(new Set(pins.filter((v) => v.startsWith('v1.'))).size).toBe(1);
    expect(components.buildinfo.version).toBe(version);
  });
});
