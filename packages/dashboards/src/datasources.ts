import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * The data sources grafana/provisioning/datasources/datasources.yaml provisions, by their fixed
 * uids. Dashboards refer to nothing else, so they work on any Grafana provisioned from this repo.
 */
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: 'prometheus' };
/** Loki, by its provisioned uid. */
export const LOKI: DataSourceRef = { type: 'loki', uid: 'loki' };
/** Tempo, by its provisioned uid. */
export const TEMPO: DataSourceRef = { type: 'tempo', uid: 'tempo' };

/** Every data source uid a dashboard may use (plus Grafana's built-in pseudo data sources). */
export const ALLOWED_DATASOURCE_UIDS = [
  'prometheus',
  'loki',
  'tempo',
  '-- Grafana --',
  '-- Mixed --',
] as const;
