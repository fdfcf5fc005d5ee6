import { SecurityEventsMetric } from '@otelkit/conventions';
import { increaseInRange } from './names.js';
import { dashboard, JOB_OF_SERVICE, jobServiceVariable, logs, stat, table, timeseries } from './panels.js';

const { prometheusName: EVENTS, prometheusLabels: L } = SecurityEventsMetric;
const SEL = `{${JOB_OF_SERVICE}}`;

/** Security events by type and outcome: logins, denials, rate limits, suspicious input. */
export function securityDashboard() {
  return dashboard(
    'otelkit-security',
    'otelkit / Security events',
    'Security events from @otelkit/node securityEvent() by type and outcome; the events themselves (who, from where) are log records in Loki.',
    ['security'],
  )
    .withVariable(jobServiceVariable(EVENTS))
    .withPanel(
      stat('Failed or refused in range', 'none', [
        {
          expr: `${increaseInRange(`${EVENTS}{${JOB_OF_SERVICE}, ${L.outcome}=~"failure|denied|blocked"}`)} or ${increaseInRange(`${EVENTS}${SEL}`)} * 0`,
        },
      ]),
    )
    .withPanel(stat('Events in range', 'none', [{ expr: increaseInRange(`${EVENTS}${SEL}`) }]))
    .withPanel(
      timeseries(
        'Events/s by type and outcome',
        'reqps',
        [
          {
            expr: `sum by (${L.type}, ${L.outcome}) (rate(${EVENTS}${SEL}[$__rate_interval]))`,
            legend: `{{${L.type}}} {{${L.outcome}}}`,
          },
        ],
        { w: 24 },
      ),
    )
    .withPanel(
      timeseries('Failed logins/s by service', 'reqps', [
        {
          expr: `sum by (job) (rate(${EVENTS}{${JOB_OF_SERVICE}, ${L.type}="authentication", ${L.outcome}="failure"}[$__rate_interval]))`,
          legend: '{{job}}',
        },
      ]),
    )
    .withPanel(
      table('Events in range by service, type and outcome', 'none', [
        { expr: increaseInRange(`${EVENTS}${SEL}`, `job, ${L.type}, ${L.outcome}`) },
      ]),
    )
    .withPanel(
      logs('Security event log records', '{service_name=~"$service"} | otelkit_security_type != ""'),
    );
}
