import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, ManagedProcess, provision, repoRoot } from '@otelkit/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './helpers/poll.js';

const exec = promisify(execFile);
const config = join(repoRoot(), 'prometheus', 'alertmanager.yml');
/** amtool ships beside Alertmanager (Debian's prometheus-alertmanager). */
let AMTOOL = '/usr/bin/amtool';

/** The receiver `amtool config routes test` resolves for a label set. */
async function routeOf(labels: Record<string, string>): Promise<string> {
  const args = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  const { stdout } = await exec(AMTOOL, ['config', 'routes', 'test', `--config.file=${config}`, ...args]);
  return stdout.trim();
}

describe('Alertmanager configuration: validity, routing and inhibition', () => {
  beforeAll(async () => {
    AMTOOL = join(dirname((await provision()).alertmanager.binary), 'amtool');
  });

  it('amtool check-config accepts prometheus/alertmanager.yml', async () => {
    const { stdout } = await exec(AMTOOL, ['check-config', config]);
    expect(stdout).toMatch(/SUCCESS/);
    expect(stdout).toMatch(/4 receivers/);
  });

  it('a critical alert pages, a warning opens a ticket, the Watchdog feeds the dead-man’s switch', async () => {
    expect(
      await routeOf({ alertname: 'CollectorDown', severity: 'critical', service: 'otelkit-collector' }),
    ).toBe('page');
    expect(
      await routeOf({ alertname: 'HighServerErrorRatio', severity: 'warning', service: 'orders-api' }),
    ).toBe('ticket');
    expect(await routeOf({ alertname: 'Watchdog', severity: 'info', service: 'otelkit-alerting' })).toBe(
      'deadmansswitch',
    );
    expect(
      await routeOf({ alertname: 'SomethingInformative', severity: 'info', service: 'orders-api' }),
    ).toBe('default');
  });

  it('amtool --verify.receivers fails on a wrong expectation (the routing checks can fail)', async () => {
    const outcome = await exec(AMTOOL, [
      'config',
      'routes',
      'test',
      `--config.file=${config}`,
      '--verify.receivers=page',
      'severity=warning',
      'service=orders-api',
    ]).then(
      () => 'verified',
      () => 'rejected',
    );
    expect(outcome).toBe('rejected');
  });

  describe('inhibition, in a real Alertmanager', () => {
    let alertmanager: ManagedProcess | undefined;
    let base: string;
    let dir: string;

    beforeAll(async () => {
      const binaries = await provision();
      const port = await freePort();
      dir = mkdtempSync(join(tmpdir(), 'otelkit-am-routing-'));
      base = `http://127.0.0.1:${port}`;
      alertmanager = new ManagedProcess({
        name: 'alertmanager-routing',
        command: binaries.alertmanager.binary,
        args: [
          `--config.file=${config}`,
          `--storage.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--cluster.listen-address=',
        ],
        logFile: join(dir, 'alertmanager.log'),
        ready: { http: `${base}/-/ready` },
      });
      await alertmanager.start();
    });
    afterAll(async () => {
      await alertmanager?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('a critical alert of a service inhibits that service’s warnings, not other services’', async () => {
      const alert = (labels: Record<string, string>) => ({
        labels,
        annotations: { summary: labels.alertname },
        startsAt: new Date().toISOString(),
      });
      const response = await fetch(`${base}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          alert({ alertname: 'AvailabilityBudgetFastBurn', severity: 'critical', service: 'orders-api' }),
          alert({ alertname: 'AvailabilityBudgetSlowBurn', severity: 'warning', service: 'orders-api' }),
          alert({ alertname: 'HighServerErrorRatio', severity: 'warning', service: 'inventory-api' }),
        ]),
      });
      expect(response.status).toBe(200);

      type Alert = {
        labels: Record<string, string>;
        status: { state: string; inhibitedBy: string[] };
        fingerprint: string;
      };
      const alerts = await eventually('the three alerts, the orders-api warning inhibited', async () => {
        const list = (await (await fetch(`${base}/api/v2/alerts`)).json()) as Alert[];
        const slow = list.find((a) => a.labels.alertname === 'AvailabilityBudgetSlowBurn');
        return list.length === 3 && slow?.status.state === 'suppressed' ? list : undefined;
      });
      const byName = (name: string) => alerts.find((a) => a.labels.alertname === name);
      const critical = byName('AvailabilityBudgetFastBurn');
      expect(critical?.status.state).toBe('active');
      expect(byName('AvailabilityBudgetSlowBurn')?.status.inhibitedBy).toEqual([critical?.fingerprint]);
      expect(byName('HighServerErrorRatio')?.status).toMatchObject({ state: 'active', inhibitedBy: [] });
    });
  });
});
