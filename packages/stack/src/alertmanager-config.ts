import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

interface AlertmanagerYaml {
  receivers?: { name: string; webhook_configs?: { url?: string }[] }[];
}

/** The variable that sets a receiver's webhook URL, e.g. `OTELKIT_ALERT_WEBHOOK_PAGE_URL`. */
export function webhookVariable(receiver: string): string {
  return `OTELKIT_ALERT_WEBHOOK_${receiver.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

/**
 * Renders `prometheus/alertmanager.yml` with each receiver's webhook URL taken from
 * {@link webhookVariable} when it is set. Alertmanager expands no variables and the Debian
 * release refuses `url_file`, so the URLs are written into the rendered copy.
 */
export function renderAlertmanagerConfig(root: string, env: Record<string, string | undefined>): string {
  const config = parse(
    readFileSync(join(root, 'prometheus', 'alertmanager.yml'), 'utf8'),
  ) as AlertmanagerYaml;
  for (const receiver of config.receivers ?? []) {
    const url = env[webhookVariable(receiver.name)];
    if (!url) continue;
    for (const webhook of receiver.webhook_configs ?? []) webhook.url = url;
  }
  return stringify(config);
}
