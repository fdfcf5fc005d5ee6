/**
 * `start()` called from code, before the application loads winston, must give winston what
 * `--import @otelkit/node/register` gives it: trace context on each line and each record sent
 * once. Importing @otelkit/node must therefore not load winston itself.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const fixture = join(import.meta.dirname, 'fixtures', 'code-start-app.cjs');

async function run(logger: 'app' | 'otelkit'): Promise<string> {
  const { stdout } = await exec(process.execPath, [fixture], {
    cwd: import.meta.dirname,
    env: {
      PATH: process.env.PATH ?? '',
      LOGGER: logger,
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'console',
    },
    timeout: 30_000,
  });
  return stdout;
}

describe('start() from code, then winston', () => {
  for (const logger of ['app', 'otelkit'] as const) {
    it(`correlates and sends the records of ${logger === 'app' ? "the application's own logger" : 'createLogger()'}`, async () => {
      const stdout = await run(logger);
      expect(stdout).toContain('SHUT DOWN');
      const line = stdout.split('\n').find((l) => l.includes('"message":"inside the span"'));
      expect(line, stdout).toMatch(/"trace_id":"[0-9a-f]{32}"/);
      // The console exporter prints each log record it is given: exactly one for the one line.
      expect(stdout.match(/body: 'inside the span'/g), stdout).toHaveLength(1);
    });
  }

  it.each(['winston', 'pino'])('says that %s, loaded before it, runs uninstrumented', async (logger) => {
    const { stderr } = await exec(
      process.execPath,
      ['--require', logger, '--require', '@otelkit/node/register', '-e', ''],
      {
        cwd: import.meta.dirname,
        env: {
          PATH: process.env.PATH ?? '',
          OTEL_TRACES_EXPORTER: 'none',
          OTEL_METRICS_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
        },
      },
    );
    expect(stderr).toContain(`otelkit: ${logger} was loaded before otelkit started, so not instrumented;`);
  });

  it('leaves winston unloaded when @otelkit/node is imported', async () => {
    const { stdout } = await exec(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { createRequire } from 'node:module'; await import('@otelkit/node');" +
          "process.stdout.write(String(Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('/winston/'))));",
      ],
      { cwd: import.meta.dirname, env: { PATH: process.env.PATH ?? '', OTEL_SDK_DISABLED: 'true' } },
    );
    expect(stdout).toBe('false');
  });
});
