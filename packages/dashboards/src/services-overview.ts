import { PipelineLabels } from '@otelkit/conventions';
import { callRate, errorRate, errorRatio, latencyQuantile, serverSpans } from './names.js';
import { dashboard, serviceVariable, stat, timeseries } from './panels.js';

const svc = PipelineLabels.serviceName;

/** RED (rate, errors, duration) of every service, from the Collector's span metrics. */
export function servicesOverview() {
  return dashboard(
    'otelkit-services-overview',
    'otelkit / Services overview',
    "Rate, errors and duration of every service's server spans, from the Collector's span metrics (all spans, before sampling).",
    ['red'],
  )
    .withVariable(serviceVariable({ all: true }))
    .withPanel(stat('Requests/s (all selected)', 'reqps', [{ expr: `sum(${callRate(serverSpans(), svc)})` }]))
    .withPanel(
      stat('Error ratio (all selected)', 'percentunit', [
        { expr: `sum(${errorRate('$service', svc)}) / sum(${callRate(serverSpans(), svc)})` },
      ]),
    )
    .withPanel(
      stat('p95 latency (all selected)', 's', [{ expr: latencyQuantile(0.95, serverSpans(), 'span_kind') }]),
    )
    .withPanel(stat('Services', 'none', [{ expr: `count(${callRate(serverSpans(), svc)})` }]))
    .withPanel(
      timeseries('Requests/s by service', 'reqps', [
        { expr: callRate(serverSpans(), svc), legend: `{{${svc}}}` },
      ]),
    )
    .withPanel(
      timeseries('Error ratio by service', 'percentunit', [
        { expr: errorRatio('$service', svc), legend: `{{${svc}}}` },
      ]),
    )
    .withPanel(
      timeseries('p50 latency by service', 's', [
        { expr: latencyQuantile(0.5, serverSpans(), svc), legend: `{{${svc}}}` },
      ]),
    )
    .withPanel(
      timeseries('p99 latency by service', 's', [
        { expr: latencyQuantile(0.99, serverSpans(), svc), legend: `{{${svc}}}` },
      ]),
    );
}
