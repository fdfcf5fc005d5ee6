import { describe, expect, it } from 'vitest';
import { buildDashboards } from './index.js';
import { type DashboardJson, fillVariables, labelValuesQuery, metricNames, queriesOf } from './queries.js';

describe('dashboard query helpers', () => {
  it('fills template variables and Grafana interval variables, and refuses unknown ones', () => {
    // Grafana's braced form, `${name}`, as Grafana writes it in a dashboard's JSON.
    const braced = ['$', '{__range}'].join('');
    expect(fillVariables(`rate(x{a=~"$service"}[$__rate_interval]) [${braced}]`, { service: 'api' })).toBe(
      'rate(x{a=~"api"}[1m]) [1h]',
    );
    expect(() => fillVariables('x{a="$nope"}', {})).toThrow(/unknown template variable \$nope/);
  });

  it('reads label_values() variable queries', () => {
    expect(labelValuesQuery('label_values(up{job="a"}, instance)')).toEqual({
      series: 'up{job="a"}',
      label: 'instance',
    });
    expect(labelValuesQuery({ query: 'label_values(up, job)' })).toEqual({ series: 'up', label: 'job' });
    expect(labelValuesQuery('query_result(up)')).toBeUndefined();
  });

  it('names the metrics of an expression, not its functions, labels or keywords', () => {
    expect(
      metricNames('histogram_quantile(0.9, sum by (le) (rate(a_bucket{x="y"}[5m]))) / ignoring(le) b'),
    ).toEqual(['a_bucket', 'b']);
    expect(metricNames('last_over_time(c[$__range]) unless count_over_time(c[1h] offset $__range)')).toEqual([
      'c',
    ]);
  });

  it('builds dashboards whose every query the helpers find', () => {
    const boards = buildDashboards() as unknown as DashboardJson[];
    const queries = boards.flatMap(queriesOf);
    expect(new Set(queries.map((q) => q.language))).toEqual(new Set(['promql', 'logql', 'traceql']));
    const panels = boards.reduce((n, b) => n + b.panels.length, 0);
    expect(queries.length).toBeGreaterThanOrEqual(panels - 1);
  });
});
