import { PipelineLabels } from '@otelkit/conventions';
import { availabilityBudget, callRate, errorRatio, SLO_OBJECTIVE, serverSpans } from './names.js';
import {
  dashboard,
  neutralThresholds,
  serviceVariable,
  stat,
  table,
  thresholds,
  timeseries,
} from './panels.js';

const svc = PipelineLabels.serviceName;

/** Burn rate over `window`: error ratio / allowed ratio (1 spends the budget exactly over the SLO window). */
const burnRate = (window: string) =>
  `(${errorRatio('$service', svc, window)}) / on (${svc}) (${availabilityBudget('$service', window)})`;
/** Error budget remaining over `window`: 1 − burn rate (1 = untouched, < 0 = spent). */
const budgetRemaining = (window: string) => `1 - ${burnRate(window)}`;

/** Scrape-target uptime and the availability SLO of every service, computed from span metrics. */
export function uptimeSlo() {
  return dashboard(
    'otelkit-uptime-slo',
    'otelkit / Uptime and SLOs',
    `Scrape targets up, time since each service last sent telemetry, and the availability SLO of each service (server spans not in error: the objective of its spec in prometheus/slos, else ${SLO_OBJECTIVE * 100} %) with its error budget and burn rates, computed from span metrics directly.`,
    ['slo'],
  )
    .withVariable(serviceVariable({ all: true }))
    .withPanel(stat('Targets up', 'none', [{ expr: 'sum(up)' }], { thresholds: neutralThresholds() }))
    .withPanel(
      stat('Targets down', 'none', [{ expr: 'count(up == 0) or vector(0)' }], {
        thresholds: thresholds(1, 1),
      }),
    )
    .withPanel(table('Scrape targets', 'none', [{ expr: 'max by (job, instance) (up)' }]))
    .withPanel(
      table('Seconds since last telemetry per service', 's', [
        // Over the last 6 h, not the 5 min lookback: a service that stopped sending must stay in
        // the table with its growing age instead of vanishing from it.
        { expr: 'time() - max by (job) (max_over_time(timestamp(target_info)[6h:1m]))' },
      ]),
    )
    .withPanel(
      stat(
        'Availability over range',
        'percentunit',
        [{ expr: `1 - (${errorRatio('$service', svc, '$__range')})`, legend: `{{${svc}}}` }],
        { w: 12 },
      ),
    )
    .withPanel(
      stat(
        'Error budget remaining over range',
        'percentunit',
        [{ expr: budgetRemaining('$__range'), legend: `{{${svc}}}` }],
        {
          w: 12,
        },
      ),
    )
    .withPanel(
      timeseries(
        'Burn rate (1h and 5m windows; 14.4 pages)',
        'none',
        [
          { expr: burnRate('1h'), legend: `1h {{${svc}}}` },
          { expr: burnRate('5m'), legend: `5m {{${svc}}}` },
        ],
        { thresholds: thresholds(6, 14.4) },
      ),
    )
    .withPanel(
      timeseries(
        'Burn rate (6h and 30m windows; 6 pages)',
        'none',
        [
          { expr: burnRate('6h'), legend: `6h {{${svc}}}` },
          { expr: burnRate('30m'), legend: `30m {{${svc}}}` },
        ],
        { thresholds: thresholds(1, 6) },
      ),
    )
    .withPanel(
      timeseries('Requests/s (SLI denominator)', 'reqps', [
        { expr: callRate(serverSpans(), svc), legend: `{{${svc}}}` },
      ]),
    );
}
