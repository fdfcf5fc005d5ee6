import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ReceiverProcess, startReceiverProcess } from '../testing/receiver-process.js';
import { selfSignedLoopbackCertificate } from '../testing/self-signed-certificate.js';
import { type ExitRequest, sendBeforeExit } from './exit-sender.js';

let receiver: ReceiverProcess | undefined;

afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
});

const request = (url: string, body: string): ExitRequest => ({
  url,
  headers: { 'Content-Type': 'application/x-protobuf', Authorization: 'Bearer k' },
  body: new TextEncoder().encode(body),
  tls: {},
});

describe('sendBeforeExit', () => {
  it('sends every request and returns once they are answered, blocking this thread', async () => {
    receiver = await startReceiverProcess(200);
    const startedAt = Date.now();
    const outcome = sendBeforeExit(
      [request(`${receiver.url}/v1/traces`, 'spans'), request(`${receiver.url}/v1/logs`, 'logs')],
      5000,
    );
    expect(outcome).toBe('sent');
    expect(Date.now() - startedAt).toBeLessThan(2000);
    const got = await receiver.requests(2);
    expect(got.map((r) => [r.url, r.body.toString()]).sort()).toEqual([
      ['/v1/logs', 'logs'],
      ['/v1/traces', 'spans'],
    ]);
    expect(got[0]?.headers).toMatchObject({
      'content-type': 'application/x-protobuf',
      authorization: 'Bearer k',
    });
  });

  it('reports a refusal by the Collector or by the network as failed', async () => {
    receiver = await startReceiverProcess(503);
    expect(sendBeforeExit([request(`${receiver.url}/v1/traces`, 'x')], 5000)).toBe('failed');
    const closedPort = receiver.url;
    await receiver.stop();
    receiver = undefined;
    expect(sendBeforeExit([request(`${closedPort}/v1/traces`, 'x')], 5000)).toBe('failed');
  });

  it('gives up after its bound when nothing answers', async () => {
    receiver = await startReceiverProcess('hang');
    const startedAt = Date.now();
    expect(sendBeforeExit([request(`${receiver.url}/v1/traces`, 'x')], 700)).toBe('timed out');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(690);
    expect(Date.now() - startedAt).toBeLessThan(1500);
  });

  it('sends to an https Collector trusted through the configured CA file, and only then', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otelkit-exit-tls-'));
    try {
      // Trusted only when passed as the CA.
      const { cert, key } = selfSignedLoopbackCertificate(dir);
      receiver = await startReceiverProcess(200, { key, cert });
      const url = `${receiver.url}/v1/traces`;
      expect(sendBeforeExit([{ ...request(url, 'untrusted'), tls: {} }], 5000)).toBe('failed');
      expect(sendBeforeExit([{ ...request(url, 'trusted'), tls: { ca: cert } }], 5000)).toBe('sent');
      const got = await receiver.requests(1);
      expect(got.map((r) => r.body.toString())).toEqual(['trusted']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
