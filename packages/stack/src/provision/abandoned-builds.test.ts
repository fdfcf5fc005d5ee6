import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeAbandonedBuilds } from './abandoned-builds.js';

let parent: string | undefined;
afterEach(() => {
  if (parent) rmSync(parent, { recursive: true, force: true });
  parent = undefined;
});

describe('removeAbandonedBuilds', () => {
  it("removes the build directories of exited builders and keeps running builds' and the rest", () => {
    parent = mkdtempSync(join(tmpdir(), 'otelkit-builds-'));
    // A process that has exited: its pid names no running builder.
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(exited.stdout.toString());
    const names = [
      `0.158.0-abc.tmp-${deadPid}`,
      `0.158.0-abc.tmp-${process.pid}`,
      '0.158.0-abc',
      'notes.tmp-x',
    ];
    for (const name of names) {
      mkdirSync(join(parent, name));
      writeFileSync(join(parent, name, 'otelcol-otelkit'), 'binary');
    }
    expect(removeAbandonedBuilds(parent)).toEqual([`0.158.0-abc.tmp-${deadPid}`]);
    expect(names.map((name) => existsSync(join(parent as string, name)))).toEqual([false, true, true, true]);
  });

  it('does nothing when the cache has no such folder yet', () => {
    expect(removeAbandonedBuilds(join(tmpdir(), 'otelkit-no-such-cache', 'collector'))).toEqual([]);
  });
});
