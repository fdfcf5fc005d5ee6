import {
  PipelineLabels,
  SpanMetrics,
  WebVitalNames,
  WebVitalsMetrics,
  WebVitalThresholds,
} from '@otelkit/conventions';
import { STATUS_ERROR } from './names.js';
import { dashboard, labelVariable, stat, table, thresholds, timeseries, traceSearch } from './panels.js';

const { pageLabel, ratingLabel, bucket, count } = WebVitalsMetrics;
const svc = PipelineLabels.serviceName;
/** Span name of a browser JS error (@otelkit/web `ERROR_SPAN`). */
const ERROR_SPAN = 'exception';
/** Span name of a browser page view (@otelkit/web `PAGE_VIEW_SPAN`). */
const PAGE_VIEW_SPAN = 'page view';

// Tables share one unit across their rows and CLS has none, so CLS has a table of its own.
const p75 = (vital: string, by: string) =>
  `histogram_quantile(0.75, sum by (le, ${by}) (rate(${bucket}{span_name="${vital}", ${svc}=~"$app", ${pageLabel}=~"$page"}[$__range])))`;

/** Core Web Vitals at p75 per page against their thresholds, the rating mix, JS errors and sessions. */
export function webVitals() {
  const board = dashboard(
    'otelkit-web-vitals',
    'otelkit / Web vitals',
    'Core Web Vitals at p75 per page over the time range against the good/poor thresholds (CLS shown ×1000), the good / needs-improvement / poor mix, JS errors and page views of the browser apps.',
    ['web'],
  )
    .withVariable(labelVariable('app', svc, count, { includeAll: true }))
    .withVariable(
      labelVariable('page', pageLabel, `${count}{${svc}=~"$app"}`, { includeAll: true }).multi(true),
    );
  for (const vital of WebVitalNames) {
    const t = WebVitalThresholds[vital];
    board.withPanel(
      stat(
        `${vital} p75 (good ≤ ${t.good}, poor > ${t.poor})`,
        vital === 'CLS' ? 'none' : 'ms',
        [{ expr: p75(vital, 'span_name') }],
        {
          w: vital === 'LCP' ? 8 : 4,
          thresholds: thresholds(t.good, t.poor),
          description:
            vital === 'CLS' ? 'CLS × 1000: 100 is a CLS of 0.1.' : `Thresholds: ${t.good} ms / ${t.poor} ms.`,
        },
      ),
    );
  }
  for (const vital of WebVitalNames) {
    const t = WebVitalThresholds[vital];
    board.withPanel(
      timeseries(
        `${vital} p75 by page`,
        vital === 'CLS' ? 'none' : 'ms',
        [{ expr: p75(vital, pageLabel), legend: `{{${pageLabel}}}` }],
        {
          w: 12,
          thresholds: thresholds(t.good, t.poor),
        },
      ),
    );
  }
  return board
    .withPanel(
      timeseries(
        'Rating mix (share of reports)',
        'percentunit',
        [
          {
            expr: `sum by (${ratingLabel}) (increase(${count}{${svc}=~"$app", ${pageLabel}=~"$page"}[$__range])) / scalar(sum(increase(${count}{${svc}=~"$app", ${pageLabel}=~"$page"}[$__range])))`,
            legend: `{{${ratingLabel}}}`,
          },
        ],
        { w: 12 },
      ),
    )
    .withPanel(
      table('p75 per page and vital (ms)', 'ms', [
        {
          expr: p75('.+', `${pageLabel}, span_name`).replace(
            'span_name=".+"',
            'span_name=~".+", span_name!="CLS"',
          ),
        },
      ]),
    )
    .withPanel(
      table('CLS p75 per page', 'none', [{ expr: `${p75('CLS', pageLabel)} / 1000` }], {
        description: 'The CLS itself (the panels above show CLS × 1000).',
      }),
    )
    .withPanel(
      timeseries('JS errors/s', 'reqps', [
        {
          expr: `sum by (${svc}) (rate(${SpanMetrics.calls}{${svc}=~"$app", span_name="${ERROR_SPAN}", status_code="${STATUS_ERROR}"}[$__rate_interval]))`,
          legend: `{{${svc}}}`,
        },
      ]),
    )
    .withPanel(
      timeseries('Page views/s', 'reqps', [
        {
          expr: `sum by (${svc}) (rate(${SpanMetrics.calls}{${svc}=~"$app", span_name="${PAGE_VIEW_SPAN}"}[$__rate_interval]))`,
          legend: `{{${svc}}}`,
        },
      ]),
    )
    .withPanel(
      traceSearch(
        'Sessions (page views by session.id)',
        `{resource.service.name=~"$app" && name="${PAGE_VIEW_SPAN}"} | select(span.session.id, span.page.path)`,
      ),
    )
    .withPanel(
      traceSearch(
        'JS errors (traces)',
        `{resource.service.name=~"$app" && name="${ERROR_SPAN}" && status=error}`,
      ),
    );
}
