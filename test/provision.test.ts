import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { provision, repoRoot } from '@otelkit/stack';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = join(repoRoot(), 'packages', 'stack', 'dist', 'cli.js');

describe('otelkit provision', () => {
  beforeAll(async () => {
    await provision();
  });

  it('rebuilds nothing once the backends are cached, and says so', async () => {
    const started = Date.now();
    const { stdout } = await run(process.execPath, [cli, 'provision']);
    expect(stdout).toMatch(/collector: reusing cached build .*nothing rebuilt/);
    expect(stdout).toMatch(/prometheus: reusing cached build .*nothing rebuilt/);
    expect(stdout).toMatch(/provision: nothing rebuilt/);
    // "up" never runs Loki, so the quick start neither waits for its build nor fails with it.
    expect(stdout).not.toMatch(/loki/i);
    // Reuse is a few stat calls; a rebuild takes minutes. 20 s separates them with margin.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('adds Loki, which the tests run, with --loki', async () => {
    // The test bootstrap (scripts/bootstrap.sh tests) has built it already.
    const { stdout } = await run(process.execPath, [cli, 'provision', '--loki']);
    expect(stdout).toMatch(/loki: reusing cached build .*nothing rebuilt/);
    expect(stdout).toMatch(/provision: nothing rebuilt/);
  });

  it('reports every prerequisite on its own line in doctor', async () => {
    const { stdout } = await run(process.execPath, [cli, 'doctor']).catch((e: { stdout: string }) => e);
    for (const name of [
      'node',
      'go',
      'collector',
      'prometheus',
      'alertmanager',
      'blackbox-exporter',
      'docker',
    ]) {
      expect(stdout).toMatch(new RegExp(`^(ok|missing|note)\\s+${name}: `, 'm'));
    }
  });
});
