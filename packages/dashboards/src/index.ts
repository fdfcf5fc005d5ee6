import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { collectorHealth } from './collector.js';
import { errorsDashboard } from './errors.js';
import { nodeRuntime } from './node-runtime.js';
import { securityDashboard } from './security.js';
import { serviceDetail } from './service-detail.js';
import { servicesOverview } from './services-overview.js';
import { uptimeSlo } from './uptime-slo.js';
import { webVitals } from './web-vitals.js';

export { ALLOWED_DATASOURCE_UIDS } from './datasources.js';
export { GENERATED_NOTE } from './panels.js';

/** Every otelkit dashboard, built. */
export function buildDashboards(): Dashboard[] {
  return [
    servicesOverview(),
    serviceDetail(),
    webVitals(),
    nodeRuntime(),
    errorsDashboard(),
    securityDashboard(),
    uptimeSlo(),
    collectorHealth(),
  ].map((b) => layout(b.build()));
}

/**
 * Flows panels left to right in the 24-column grid, starting a new row when one does not fit,
 * keeping each panel's width and height (the builder's own placement can overflow the grid).
 */
function layout(board: Dashboard): Dashboard {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const panel of board.panels ?? []) {
    const w = panel.gridPos?.w ?? 12;
    const h = panel.gridPos?.h ?? 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    panel.gridPos = { ...panel.gridPos, x, y, w, h };
    x += w;
    rowHeight = Math.max(rowHeight, h);
  }
  return board;
}
