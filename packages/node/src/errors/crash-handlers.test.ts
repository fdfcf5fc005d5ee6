import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { installCrashHandlers, unhandledRejectionsMode } from './crash-handlers.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/crash.mjs', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

interface Recorded {
  type: string;
  fingerprint: string;
  origin: string;
  severity: string;
  traceLike: string;
}

/** Runs the fixture in a real Node process, the TypeScript sources loaded through tsx. */
function run(scenario: string, env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', fixture],
      {
        cwd: repoRoot,
        env: { ...process.env, NODE_OPTIONS: '', SCENARIO: scenario, ...env },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

function flushed(stdout: string): Recorded[] {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith('FLUSHED '));
  if (line === undefined) throw new Error(`no flush in:\n${stdout}`);
  return JSON.parse(line.slice('FLUSHED '.length)) as Recorded[];
}

/** What Node printed from the error line on: the part that does not depend on who threw last. */
function printedError(stderr: string, firstLine: string): string {
  return stderr.slice(stderr.indexOf(firstLine));
}

describe('installCrashHandlers (real processes)', () => {
  it('records and flushes an uncaught exception, then crashes exactly as Node does', async () => {
    const [withOtelkit, without] = await Promise.all([run('throw'), run('throw', { OTELKIT: 'off' })]);
    expect(without.code).toBe(1);
    expect(withOtelkit.code).toBe(1);

    const [record] = flushed(withOtelkit.stdout);
    expect(record).toMatchObject({
      type: 'TypeError',
      origin: 'uncaught_exception',
      severity: 'FATAL',
      traceLike: 'string',
    });
    expect(record?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    // Order on stdout: flush started, flushed, then the process exited.
    expect(withOtelkit.stdout).toMatch(/FLUSH-START 5000\nFLUSHED .*\nEXIT 1\n$/);

    const line = 'TypeError: invoice 42 has no customer';
    expect(withOtelkit.stderr).toContain(`${line}\n    at Timeout.loadInvoice`);
    expect(printedError(withOtelkit.stderr, line)).toBe(printedError(without.stderr, line));
    expect(withOtelkit.stderr).toMatch(/Node\.js v\d+/);
    // The one difference, Node's source line above the error, says whose throw it is.
    expect(withOtelkit.stderr.slice(0, withOtelkit.stderr.indexOf(line))).toContain(
      'throw uncaughtErrorRethrownByOtelkitAfterFlushingTelemetry;',
    );
  });

  it('exits 1 even when process.exitCode was set, as Node does', async () => {
    const [withOtelkit, without] = await Promise.all([
      run('exit-code'),
      run('exit-code', { OTELKIT: 'off' }),
    ]);
    expect(without.code).toBe(1);
    expect(withOtelkit.code).toBe(1);
  });

  it('handles a thrown string like Node', async () => {
    const [withOtelkit, without] = await Promise.all([
      run('throw-string'),
      run('throw-string', { OTELKIT: 'off' }),
    ]);
    expect(withOtelkit.code).toBe(without.code);
    expect(withOtelkit.code).toBe(1);
    expect(flushed(withOtelkit.stdout)).toMatchObject([{ type: 'string', severity: 'FATAL' }]);
    expect(withOtelkit.stderr).toContain('a plain string');
  });

  it('records and flushes an unhandled rejection, then crashes like Node', async () => {
    const [withOtelkit, without] = await Promise.all([run('reject'), run('reject', { OTELKIT: 'off' })]);
    expect(without.code).toBe(1);
    expect(withOtelkit.code).toBe(1);
    expect(flushed(withOtelkit.stdout)).toMatchObject([
      { type: 'RangeError', origin: 'unhandled_rejection', severity: 'FATAL' },
    ]);
    const line = 'RangeError: rejected 7';
    expect(printedError(withOtelkit.stderr, line)).toBe(printedError(without.stderr, line));
  });

  it('reads --unhandled-rejections as Node does: either form, the command line over NODE_OPTIONS', () => {
    expect(unhandledRejectionsMode([], '')).toBe('throw');
    expect(unhandledRejectionsMode(['--unhandled-rejections', 'warn'], '')).toBe('warn');
    expect(unhandledRejectionsMode([], '--max-old-space-size=512 --unhandled-rejections=none')).toBe('none');
    expect(unhandledRejectionsMode(['--unhandled-rejections=throw'], '--unhandled-rejections=warn')).toBe(
      'throw',
    );
  });

  it('records a rejection that --unhandled-rejections=warn or none lets the process survive', async () => {
    for (const mode of ['warn', 'none']) {
      const options = { NODE_OPTIONS: `--unhandled-rejections=${mode}` };
      const [withOtelkit, without] = await Promise.all([
        run('reject-survived', options),
        run('reject-survived', { ...options, OTELKIT: 'off' }),
      ]);
      expect(withOtelkit.code, mode).toBe(without.code);
      expect(withOtelkit.code, mode).toBe(0);
      expect(withOtelkit.stdout, mode).toMatch(
        /RECORDED \[\{"type":"RangeError".*"origin":"unhandled_rejection","severity":"ERROR"/,
      );
      // Node warns (warn) or stays silent (none) exactly as it would have.
      expect(withOtelkit.stderr.includes('rejected 7'), mode).toBe(without.stderr.includes('rejected 7'));
    }
  });

  it('handles a rejection with a non-error reason like Node', async () => {
    const [withOtelkit, without] = await Promise.all([
      run('reject-string'),
      run('reject-string', { OTELKIT: 'off' }),
    ]);
    expect(without.code).toBe(1);
    expect(withOtelkit.code).toBe(1);
    expect(flushed(withOtelkit.stdout)).toMatchObject([
      { type: 'UnhandledPromiseRejection', origin: 'unhandled_rejection' },
    ]);
    expect(withOtelkit.stderr).toContain('The promise rejected with the reason "plain reason"');
    expect(withOtelkit.stderr).toContain("code: 'ERR_UNHANDLED_REJECTION'");
  });

  it('only records when the app handles uncaught exceptions itself', async () => {
    const [withOtelkit, without] = await Promise.all([
      run('app-uncaught-listener'),
      run('app-uncaught-listener', { OTELKIT: 'off' }),
    ]);
    expect(without.code).toBe(0);
    expect(withOtelkit.code).toBe(0);
    // Recorded before the app's own listener ran, as ERROR since the process survives.
    expect(withOtelkit.stdout).toMatch(
      /APP-HANDLED invoice 42 has no customer \[\{"type":"TypeError".*"severity":"ERROR"/,
    );
    expect(withOtelkit.stdout).toContain('STILL-RUNNING');
    expect(withOtelkit.stdout).not.toContain('FLUSH-START');
    expect(withOtelkit.stderr).toBe('');
  });

  it('only records when the app handles unhandled rejections itself', async () => {
    const [withOtelkit, without] = await Promise.all([
      run('app-rejection-listener'),
      run('app-rejection-listener', { OTELKIT: 'off' }),
    ]);
    expect(without.code).toBe(0);
    expect(withOtelkit.code).toBe(0);
    expect(withOtelkit.stdout).toMatch(
      /APP-HANDLED rejected 7 \[\{"type":"RangeError".*"origin":"unhandled_rejection"/,
    );
    expect(withOtelkit.stdout).toContain('STILL-RUNNING');
    expect(withOtelkit.stderr).toBe('');
  });

  it('lets Node crash again once the app removed its rejection listener', async () => {
    const [withOtelkit, without] = await Promise.all([
      run('app-rejection-listener-removed'),
      run('app-rejection-listener-removed', { OTELKIT: 'off' }),
    ]);
    expect(without.code).toBe(1);
    expect(withOtelkit.code).toBe(1);
    expect(flushed(withOtelkit.stdout)).toMatchObject([
      { type: 'RangeError', origin: 'unhandled_rejection' },
    ]);
  });

  it('bounds a flush that never finishes', async () => {
    const result = await run('hanging-flush', { FLUSH_TIMEOUT_MS: '300' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FLUSH-START 300');
    expect(result.stdout).not.toContain('FLUSHED');
    expect(result.stderr).toContain('TypeError: invoice 42 has no customer');
    expect(result.ms).toBeLessThan(10_000);
  });

  it('records a second error thrown during the flush and crashes with the first', async () => {
    const result = await run('double-throw');
    expect(result.code).toBe(1);
    expect(flushed(result.stdout).map((record) => record.type)).toEqual(['TypeError', 'SyntaxError']);
    expect(result.stderr).toContain('TypeError: invoice 42 has no customer');
    expect(result.stderr).not.toContain('SyntaxError');
  });
});

describe('installCrashHandlers (listener bookkeeping)', () => {
  const counts = (): Record<string, number> => ({
    uncaughtException: process.listenerCount('uncaughtException'),
    unhandledRejection: process.listenerCount('unhandledRejection'),
    newListener: process.listenerCount('newListener'),
    removeListener: process.listenerCount('removeListener'),
  });

  it('adds one uncaughtException listener, follows the app for unhandledRejection, and removes everything', () => {
    const before = counts();
    const uninstall = installCrashHandlers(async () => {});
    const installed = counts();
    expect(installed.uncaughtException).toBe((before.uncaughtException ?? 0) + 1);
    // The test runner listens for rejections, so ours rides along (and only records).
    const expectedRejection = (before.unhandledRejection ?? 0) > 0 ? 1 : 0;
    expect(installed.unhandledRejection).toBe((before.unhandledRejection ?? 0) + expectedRejection);

    const appListener = (): void => {};
    process.on('unhandledRejection', appListener);
    expect(process.listenerCount('unhandledRejection')).toBe((before.unhandledRejection ?? 0) + 2);
    process.off('unhandledRejection', appListener);
    expect(process.listenerCount('unhandledRejection')).toBe(installed.unhandledRejection);

    uninstall();
    expect(counts()).toEqual(before);
  });

  it('replaces a previous installation instead of stacking', () => {
    const before = counts();
    const first = installCrashHandlers(async () => {});
    const second = installCrashHandlers(async () => {});
    expect(process.listenerCount('uncaughtException')).toBe((before.uncaughtException ?? 0) + 1);
    second();
    first();
    expect(counts()).toEqual(before);
  });
});
