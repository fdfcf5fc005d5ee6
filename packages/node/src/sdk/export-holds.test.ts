import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { exportAgentFactory, exportRetryTimer, holdExports, releaseExports } from './export-holds.js';

afterEach(() => holdExports());

describe('export retry timers', () => {
  it('hold the process until released, then let it end and still retry while it runs', async () => {
    let retried = 0;
    const under = exportRetryTimer(() => retried++, 30);
    expect(under.hasRef()).toBe(true);

    releaseExports();
    expect(under.hasRef()).toBe(false);
    const later = exportRetryTimer(() => retried++, 10);
    expect(later.hasRef()).toBe(false);

    await sleep(60);
    expect(retried).toBe(2);
  });

  it('hold the process again once a new SDK holds them', () => {
    releaseExports();
    holdExports();
    const timer = exportRetryTimer(() => {}, 1_000);
    expect(timer.hasRef()).toBe(true);
    clearTimeout(timer);
  });
});

describe('export agents', () => {
  it('keep connections alive, and give an https endpoint the PEM files of its variables', async () => {
    const agents = exportAgentFactory({ ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' });
    const plain = await agents('http:');
    const secure = await agents('https:');
    expect(secure).toBeInstanceOf(https.Agent);
    expect(secure.options).toMatchObject({ keepAlive: true, ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' });
    expect(plain).not.toBeInstanceOf(https.Agent);
    expect(plain.options).toMatchObject({ keepAlive: true });
    expect(plain.options).not.toHaveProperty('ca');
  });
});
