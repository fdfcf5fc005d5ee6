import { ErrorsMetric } from '@otelkit/conventions';
import { increaseInRange } from './names.js';
import { dashboard, JOB_OF_SERVICE, jobServiceVariable, logs, stat, table, timeseries } from './panels.js';

const { prometheusName: ERRORS, prometheusLabels: L } = ErrorsMetric;
const SEL = `{${JOB_OF_SERVICE}}`;

/** Recorded errors grouped by fingerprint, the way an error tracker groups issues. */
export function errorsDashboard() {
  return dashboard(
    'otelkit-errors',
    'otelkit / Errors',
    'Errors recorded by @otelkit/node (recordError, uncaught exceptions, unhandled rejections), grouped by fingerprint; the error log records are in Loki.',
    ['errors'],
  )
    .withVariable(jobServiceVariable(ERRORS))
    .withPanel(stat('Errors in range', 'none', [{ expr: increaseInRange(`${ERRORS}${SEL}`) }]))
    .withPanel(
      stat('Distinct fingerprints in range', 'none', [
        { expr: `count(${increaseInRange(`${ERRORS}${SEL}`, L.fingerprint)} > 0) or vector(0)` },
      ]),
    )
    .withPanel(
      timeseries(
        'Top 10 fingerprints over time (errors/s)',
        'reqps',
        [
          {
            expr: `topk(10, sum by (job, ${L.type}, ${L.fingerprint}) (rate(${ERRORS}${SEL}[$__rate_interval])))`,
            legend: `{{job}} {{${L.type}}} {{${L.fingerprint}}}`,
          },
        ],
        { w: 24 },
      ),
    )
    .withPanel(
      table('Top fingerprints in range', 'none', [
        { expr: `topk(20, ${increaseInRange(`${ERRORS}${SEL}`, `job, ${L.type}, ${L.fingerprint}`)})` },
      ]),
    )
    .withPanel(
      timeseries('Errors/s by type', 'reqps', [
        { expr: `sum by (${L.type}) (rate(${ERRORS}${SEL}[$__rate_interval]))`, legend: `{{${L.type}}}` },
      ]),
    )
    .withPanel(logs('Error log records', '{service_name=~"$service"} | exception_fingerprint != ""'));
}
