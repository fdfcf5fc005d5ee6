/**
 * What @otelkit/node prints about itself. The SDK's own diagnostics appear only when
 * `OTEL_LOG_LEVEL` asks for them. When shutdown gives up on exports that cannot finish (the
 * Collector is unreachable), one line says that the remaining telemetry is lost.
 *
 * The Collector is deliberately absent: exports go to a closed port on loopback.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'otelkit-diagnostics-'));
/** An app that serves and calls itself once, so that spans are queued, then ends with `ending`. */
function app(name: string, ending: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `require('node:http').createServer((req, res) => res.end('ok')).listen(0, '127.0.0.1', async function () {
  await fetch('http://127.0.0.1:' + this.address().port + '/');
  ${ending}
});
`,
  );
  return file;
}
// Stops the way an orchestrator does.
const stopped = app('stopped.cjs', "process.kill(process.pid, 'SIGTERM');");
const crashing = app('crashing.cjs', "throw new Error('order book corrupted');");

interface Run {
  /** stdout and stderr, interleaved. */
  output: string;
  /** stdout alone. */
  stdout: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
}

function run(env: Record<string, string>, file = stopped): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--require', '@otelkit/node/register', file], {
    cwd: import.meta.dirname,
    env: {
      PATH: process.env.PATH ?? '',
      OTEL_SERVICE_NAME: 'diagnostics',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      OTELKIT_SHUTDOWN_TIMEOUT_MS: '1000',
      ...env,
    },
  });
  let output = '';
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the app did not exit within 20 s; output:\n${output}`));
    }, 20_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ output, stdout, code, signal, ms: Date.now() - started });
    });
  });
}

const SDK_DEBUG_LINE = /Applying instrumentation patch for nodejs core module/;
const DROPPED =
  /otelkit: telemetry was still being exported to http:\/\/127\.0\.0\.1:9 after 1000 ms; what is left is lost if the process exits now/;

describe('@otelkit/node diagnostics', () => {
  it('prints no SDK diagnostics by default, and one line when shutdown drops telemetry', async () => {
    const { output, signal, ms } = await run({});
    expect(output).not.toMatch(SDK_DEBUG_LINE);
    expect(output.match(new RegExp(DROPPED, 'g')) ?? [], output).toHaveLength(1);
    // Bounded by OTELKIT_SHUTDOWN_TIMEOUT_MS, then terminated by the signal as without otelkit.
    expect(signal).toBe('SIGTERM');
    expect(ms).toBeLessThan(10_000);
  });

  it('says what a crash leaves unsent, within OTELKIT_SHUTDOWN_TIMEOUT_MS, then crashes as Node does', async () => {
    const { output, code, ms } = await run({}, crashing);
    expect(output.match(new RegExp(DROPPED, 'g')) ?? [], output).toHaveLength(1);
    expect(output).toContain('Error: order book corrupted');
    expect(code).toBe(1);
    // The configured 1 s bound, not the 5 s default.
    expect(ms).toBeLessThan(4000);
  });

  it('prints the SDK diagnostics OTEL_LOG_LEVEL asks for, and only from that level up', async () => {
    const debug = await run({ OTEL_LOG_LEVEL: 'debug' });
    expect(debug.output).toMatch(SDK_DEBUG_LINE);
    expect(debug.output).toMatch(DROPPED);
    // All on stderr: stdout is the application's, often a stream of JSON log lines.
    expect(debug.stdout).not.toMatch(SDK_DEBUG_LINE);
    const errors = await run({ OTEL_LOG_LEVEL: 'error' });
    expect(errors.output).not.toMatch(SDK_DEBUG_LINE);
  });
});
