import { afterEach, describe, expect, it } from 'vitest';
import { closeLocalServers, listenLocal } from '../packages/node/src/testing/local-server.js';
import { serviceTelemetry } from './helpers/telemetry.js';

// The end-to-end tests trust flush() to mean "the Collector took it". The SDK's metric reader
// resolves its flush after a failed export, so the helper has to say so itself.
describe('serviceTelemetry().flush()', () => {
  afterEach(closeLocalServers);

  /** An OTLP/HTTP endpoint answering every POST with `status`. */
  function endpoint(status: number): Promise<string> {
    return listenLocal((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(status, { 'content-type': 'application/x-protobuf' }).end());
    });
  }

  it('rejects, naming the service and endpoint, when a metric export is refused', async () => {
    const url = await endpoint(400);
    const app = serviceTelemetry(url, 'refused-probe');
    app.meter.createCounter('probe.count').add(1);
    await expect(app.flush()).rejects.toThrow(`refused-probe: metric export to ${url} failed`);
    await app.shutdown().catch(() => undefined);
  });

  it('resolves when every export is taken', async () => {
    const app = serviceTelemetry(await endpoint(200), 'taken-probe');
    app.meter.createCounter('probe.count').add(1);
    await expect(app.flush()).resolves.toBeUndefined();
    await app.shutdown();
  });
});
