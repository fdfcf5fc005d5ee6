/**
 * @otelkit/node's start-up rests on its runtime entries being bundled (packages/node/scripts/
 * bundle.mjs): `--import`/`--require` of the register entry then loads a few files instead of the
 * ~250 CommonJS files of the OpenTelemetry SDK. This checks that structure on the built package,
 * for both entries, with the SDK really started (the global tracer records).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const appDir = mkdtempSync(join(tmpdir(), 'otelkit-bundle-'));
const app = join(appDir, 'app.cjs');
// A module that keeps the stack it was required with: one require-in-the-middle frame per hook.
writeFileSync(
  join(appDir, 'probe.cjs'),
  'Error.stackTraceLimit = 100;\nmodule.exports = new Error().stack;\n',
);
// Prints the CommonJS files loaded so far, whether the global tracer makes recording spans (the
// no-op provider's never record) and the host.id of the span's resource (read asynchronously by a
// detector whose platform readers the bundle has to keep loadable).
writeFileSync(
  app,
  `const files = Object.keys(require.cache);
const requireHooks = require('./probe.cjs').split('\\n').filter((frame) => frame.includes('patchedRequire')).length;
const api = globalThis[Symbol.for('opentelemetry.js.api.1')];
const span = api && api.trace && api.trace.getTracer('bundle-test').startSpan('probe');
(async () => {
  await span?.resource?.waitForAsyncAttributes?.();
  const hostId = span?.resource?.attributes['host.id'];
  process.stdout.write(JSON.stringify({ files, recording: Boolean(span && span.isRecording()), hostId, requireHooks }));
})();`,
);

/** The machine id host.id should carry, as the resource detector reads it on Linux. */
function machineId(): string | undefined {
  for (const path of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      // try the next one
    }
  }
  return undefined;
}

interface Loaded {
  files: string[];
  recording: boolean;
  hostId?: string;
  requireHooks: number;
}

// One run per entry flag serves every test that reads it.
const runs = new Map<'--import' | '--require', Loaded>();

function loaded(flag: '--import' | '--require'): Loaded {
  const known = runs.get(flag);
  if (known) return known;
  const out = execFileSync(process.execPath, [flag, '@otelkit/node/register', app], {
    cwd: import.meta.dirname,
    // A closed port, and nothing to send when the app ends (the probe span never ends, metrics
    // are off), so the flush at exit has nothing to wait for.
    env: {
      PATH: process.env.PATH ?? '',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_SERVICE_NAME: 'bundle',
    },
    encoding: 'utf8',
  });
  const run = JSON.parse(out) as Loaded;
  runs.set(flag, run);
  return run;
}

describe('@otelkit/node register entry, as built', () => {
  it('keeps the names of the public error classes (exception.type and fingerprints use them)', () => {
    const names = ['OtelkitError', 'ValidationError', 'NotFoundError', 'PermissionError', 'ConflictError'];
    names.push('RateLimitedError', 'UnavailableError');
    const script = `import * as api from '@otelkit/node';
const names = ${JSON.stringify(names)};
process.stdout.write(JSON.stringify(names.map((name) => [api[name].name, new api[name]('x').name])));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: import.meta.dirname,
      env: { PATH: process.env.PATH ?? '', OTEL_SDK_DISABLED: 'true' },
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual(names.map((name) => [name, name]));
  });

  it("leaves otelkit's own frames out of fingerprints: their chunk names change every release", () => {
    // A handler's error as the bundle's server hook and context.with see it, then the same error
    // with the frames another otelkit build would give it.
    const script = `import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { normaliseStackFrames } from '@otelkit/node';
const chunks = dirname(createRequire(import.meta.url).resolve('@otelkit/node')) + '/chunks';
const stack = (chunk, fn) => ['TypeError: no customer',
  '    at loadInvoice (/srv/app/invoices.js:12:9)',
  '    at ' + fn + ' (file://' + chunks + '/' + chunk + ':34798:5)',
  '    at Server.emit (node:events:519:28)'].join('\\n');
process.stdout.write(JSON.stringify([
  normaliseStackFrames(stack('chunk-UIHL5HCV.js', 'ContextAPI2.with')),
  normaliseStackFrames(stack('chunk-DEQSETPC.js', 'ContextAPI3.with')),
]));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: import.meta.dirname,
      env: { PATH: process.env.PATH ?? '', OTEL_SDK_DISABLED: 'true' },
      encoding: 'utf8',
    });
    const [one, other] = JSON.parse(out) as [string[], string[]];
    expect(one).toEqual(['loadInvoice@/srv/app/invoices.js', 'Server.emit@node:events']);
    expect(other).toEqual(one);
  });

  it("hashes sdk-metrics' frozen attribute sets through otelkit's wrapper (scripts/bundle.mjs)", () => {
    const chunks = join(import.meta.dirname, '..', 'packages', 'node', 'dist', 'bundle', 'chunks');
    const sources = readdirSync(chunks)
      .filter((file) => file.endsWith('.js'))
      .map((file) => readFileSync(join(chunks, file), 'utf8'));
    // The plugin fails the build if the declaration changes; this catches the file moving.
    expect(
      sources.filter((source) => source.includes('hashFrozenAttributesOnce(hashAttributesEachTime)')),
    ).toHaveLength(1);
  });

  for (const flag of ['--import', '--require'] as const) {
    it(`${flag}: starts the SDK without loading the OpenTelemetry packages file by file`, () => {
      const { files, recording } = loaded(flag);
      expect(recording).toBe(true);
      expect(files.filter((file) => file.includes('@opentelemetry'))).toEqual([]);
      // The app itself, the CommonJS register entry, and the externals the bundle leaves out
      // (import-in-the-middle and its one dependency).
      expect(files.length).toBeLessThan(10);
    });

    it(`${flag}: wraps require() once, however many instrumentations hook it`, () => {
      // Each copy of @opentelemetry/instrumentation in the bundle adds a hook that resolves every
      // require() the application makes; @fastify/otel asks for an older one than the rest.
      expect(loaded(flag).requireHooks).toBe(1);
    });

    it(`${flag}: gives the resource its host.id (the bundled machine-id reader works)`, () => {
      expect(loaded(flag).hostId).toBe(machineId());
    });
  }
});
