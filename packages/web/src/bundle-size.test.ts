import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const BUDGET_BYTES = 40 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'otelkit-web-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('the default <script> bundle (tracing, vitals, errors, sessions, transport) fits 40 KB gzipped', () => {
  const outfile = join(dir, 'otelkit-web.min.js');
  // The shipped build script itself, so the number is the one users get.
  const report = JSON.parse(
    execFileSync(
      process.execPath,
      [join(import.meta.dirname, '..', 'scripts', 'bundle.mjs'), '--outfile', outfile, '--json'],
      {
        encoding: 'utf8',
      },
    ),
  ) as { bytes: number; gzipBytes: number };
  console.log(`@otelkit/web default bundle: ${report.bytes} bytes, ${report.gzipBytes} bytes gzipped`);
  const code = readFileSync(outfile, 'utf8');
  // Everything the default bundle promises is in it, so the size is not met by leaving parts out.
  for (const marker of [
    'OtelkitWeb',
    'documentLoad',
    '@otelkit/web-vitals',
    'otelkit.session',
    'exception.fingerprint',
    'keepalive',
  ]) {
    expect(code, marker).toContain(marker);
  }
  expect(code).not.toMatch(/addEventListener\(["']unload["']/);
  expect(report.gzipBytes).toBeGreaterThan(10_000);
  expect(report.gzipBytes).toBeLessThanOrEqual(BUDGET_BYTES);
});
