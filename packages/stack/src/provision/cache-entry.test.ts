import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDirectory, installBuild } from './cache-entry.js';

let parent: string | undefined;
afterEach(() => {
  if (parent) rmSync(parent, { recursive: true, force: true });
  parent = undefined;
});

/** A finished build of `who` in its build directory for `dir`. */
function finishedBuild(dir: string, who: string): string {
  const out = buildDirectory(dir);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'loki'), who);
  return out;
}

const complete = (dir: string) => existsSync(join(dir, 'loki'));

/** The path of a cache entry in a fresh cache; with `files`, an entry already there holding them. */
function cacheEntry(files?: Record<string, string>): string {
  parent = mkdtempSync(join(tmpdir(), 'otelkit-cache-'));
  const dir = join(parent, 'v3.5.5');
  if (files) {
    mkdirSync(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('installBuild', () => {
  it('moves a finished build into place', () => {
    const dir = cacheEntry();
    const out = finishedBuild(dir, 'this run');
    expect(out).toBe(`${dir}.tmp-${process.pid}`);
    expect(installBuild(out, dir, complete)).toBe(true);
    expect(readFileSync(join(dir, 'loki'), 'utf8')).toBe('this run');
    expect(existsSync(out)).toBe(false);
  });

  it("keeps the build another run completed meanwhile and discards this run's", () => {
    const dir = cacheEntry({ loki: 'the other run' });
    const out = finishedBuild(dir, 'this run');
    expect(installBuild(out, dir, complete)).toBe(false);
    expect(readFileSync(join(dir, 'loki'), 'utf8')).toBe('the other run');
    expect(existsSync(out)).toBe(false);
  });

  it('replaces an entry that lacks a file of the build', () => {
    const dir = cacheEntry({ README: 'left over' });
    const out = finishedBuild(dir, 'this run');
    expect(installBuild(out, dir, complete)).toBe(true);
    expect(readFileSync(join(dir, 'loki'), 'utf8')).toBe('this run');
    expect(existsSync(join(dir, 'README'))).toBe(false);
    expect(readdirSync(dirname(dir))).toEqual(['v3.5.5']);
  });

  it('keeps the build another run puts in place while this run replaces an incomplete entry', () => {
    const dir = cacheEntry({ README: 'left over' });
    const out = finishedBuild(dir, 'this run');
    let checks = 0;
    // The other run completes the entry just after this run first finds it incomplete.
    const racing = (entry: string) => {
      const found = complete(entry);
      if (entry === dir && ++checks === 1) writeFileSync(join(dir, 'loki'), 'the other run');
      return found;
    };
    expect(installBuild(out, dir, racing)).toBe(false);
    expect(readFileSync(join(dir, 'loki'), 'utf8')).toBe('the other run');
    expect(readdirSync(dirname(dir))).toEqual(['v3.5.5']);
  });

  it('replaces an incomplete entry where an earlier process of the same pid left its stale name', () => {
    const dir = cacheEntry({ README: 'left over' });
    mkdirSync(`${dir}.stale.tmp-${process.pid}`);
    writeFileSync(join(`${dir}.stale.tmp-${process.pid}`, 'README'), 'left over before');
    const out = finishedBuild(dir, 'this run');
    expect(installBuild(out, dir, complete)).toBe(true);
    expect(readFileSync(join(dir, 'loki'), 'utf8')).toBe('this run');
    expect(readdirSync(dirname(dir))).toEqual(['v3.5.5']);
  });

  it('replaces an entry emptied by hand', () => {
    const dir = cacheEntry({});
    const out = finishedBuild(dir, 'this run');
    expect(installBuild(out, dir, complete)).toBe(true);
    expect(readFileSync(join(dir, 'loki'), 'utf8')).toBe('this run');
    expect(readdirSync(dirname(dir))).toEqual(['v3.5.5']);
  });
});
