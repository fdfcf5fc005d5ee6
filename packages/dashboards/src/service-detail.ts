import { PipelineLabels, ServiceGraphMetrics, SpanMetrics } from '@otelkit/conventions';
import {
  callRate,
  errorRate,
  errorRatio,
  HTTP_ROUTE,
  latencyQuantile,
  SPAN_KIND_SERVER,
  serverSpans,
} from './names.js';
import {
  dashboard,
  labelVariable,
  logs,
  serviceMap,
  serviceVariable,
  stat,
  timeseries,
  traceSearch,
} from './panels.js';

const { serviceName: svc, spanKind, client, server } = PipelineLabels;
// Its "All" is `.*`: only PromQL panels use it, and a plain node:http server's spans have no route.
const ROUTE = `${HTTP_ROUTE}=~"$route"`;
// Both sides of an edge: a leaf service (called, calling nobody) is only ever its server.
const NEIGHBOURS = [`{${client}="$service"}`, `{${server}="$service"}`];

/** One service: its routes' RED and latency percentiles, errors, logs, traces and neighbours. */
export function serviceDetail() {
  const routeSpans = serverSpans('$service', ROUTE);
  const edges = (side: string) =>
    `sum by (${client}, ${server}) (rate(${ServiceGraphMetrics.requests}{${side}="$service"}[$__rate_interval]))`;
  return dashboard(
    'otelkit-service-detail',
    'otelkit / Service detail',
    'One service: RED and p50/p95/p99 per route from span metrics, errors, its logs (Loki), its traces (Tempo) and its service graph.',
    ['red'],
  )
    .withVariable(serviceVariable())
    .withVariable(
      labelVariable(
        'route',
        HTTP_ROUTE,
        `${SpanMetrics.calls}{${svc}="$service", ${spanKind}="${SPAN_KIND_SERVER}"}`,
        { includeAll: true, allValue: '.*' },
      ).multi(true),
    )
    .withPanel(stat('Requests/s', 'reqps', [{ expr: `sum(${callRate(routeSpans, svc)})` }]))
    .withPanel(
      stat('Error ratio', 'percentunit', [
        {
          expr: `sum(${errorRate('$service', svc, '$__rate_interval', ROUTE)}) / sum(${callRate(routeSpans, svc)})`,
        },
      ]),
    )
    .withPanel(stat('p95 latency', 's', [{ expr: latencyQuantile(0.95, routeSpans, svc) }]))
    .withPanel(stat('p99 latency', 's', [{ expr: latencyQuantile(0.99, routeSpans, svc) }]))
    .withPanel(
      timeseries('Requests/s by route', 'reqps', [
        { expr: callRate(routeSpans, HTTP_ROUTE), legend: `{{${HTTP_ROUTE}}}` },
      ]),
    )
    .withPanel(
      timeseries('Error ratio by route', 'percentunit', [
        {
          expr: errorRatio('$service', HTTP_ROUTE, '$__rate_interval', ROUTE),
          legend: `{{${HTTP_ROUTE}}}`,
        },
      ]),
    )
    .withPanel(
      timeseries(
        'Latency p50 / p95 / p99 by route',
        's',
        [0.5, 0.95, 0.99].map((q) => ({
          expr: latencyQuantile(q, routeSpans, HTTP_ROUTE),
          legend: `p${Math.round(q * 100)} {{${HTTP_ROUTE}}}`,
        })),
        { w: 24 },
      ),
    )
    .withPanel(
      timeseries('Errors/s by route and status', 'reqps', [
        {
          expr: errorRate('$service', `${HTTP_ROUTE}, http_response_status_code`, '$__rate_interval', ROUTE),
          legend: '{{http_route}} {{http_response_status_code}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Service graph: requests/s to and from this service', 'reqps', [
        { expr: `${edges(client)} or ${edges(server)}`, legend: `{{${client}}} → {{${server}}}` },
      ]),
    )
    .withPanel(serviceMap('Service map', NEIGHBOURS))
    .withPanel(logs('Logs', '{service_name="$service"}'))
    .withPanel(traceSearch('Traces', '{resource.service.name="$service"}'));
}
