import { describe, expect, it } from 'vitest';
import { startInOrder } from './start-in-order.js';

/** A start log and the functions startInOrder drives, each start taking `ms`. */
function processes(ms: number, failing?: string) {
  const log: string[] = [];
  return {
    log,
    start: async (name: string) => {
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      if (name === failing) throw new Error(`${name} failed`);
    },
    stop: async () => {
      log.push('stop');
    },
    ready: (name: string) => log.push(`ready ${name}`),
  };
}

describe('startInOrder', () => {
  it('starts each once the one before is ready', async () => {
    const p = processes(1);
    await startInOrder({ names: ['a', 'b'], ...p });
    expect(p.log).toEqual(['start a', 'ready a', 'start b', 'ready b']);
  });

  it('stops what has started when one fails, and rejects with its error', async () => {
    const p = processes(1, 'b');
    await expect(startInOrder({ names: ['a', 'b', 'c'], ...p })).rejects.toThrow('b failed');
    expect(p.log).toEqual(['start a', 'ready a', 'start b', 'stop']);
  });

  it('stops what has started when aborted mid-start, without waiting for that start', async () => {
    const p = processes(10_000);
    const interrupt = new AbortController();
    const started = Date.now();
    const run = startInOrder({ names: ['a', 'b'], ...p, signal: interrupt.signal });
    setTimeout(() => interrupt.abort(), 20);
    await expect(run).rejects.toThrow('interrupted');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(p.log).toEqual(['start a', 'stop']);
  });

  it('starts nothing when already aborted', async () => {
    const p = processes(1);
    await expect(startInOrder({ names: ['a'], ...p, signal: AbortSignal.abort() })).rejects.toThrow(
      'interrupted',
    );
    expect(p.log).toEqual(['stop']);
  });
});
