import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  type Resource,
  type ResourceDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
} from '@opentelemetry/resources';
import type { DetectorName, ResolvedConfig } from '../config/options.js';
import { lazyRequire } from './lazy-require.js';

/** Resource attributes that carry the command line, which can hold secrets. */
export const COMMAND_LINE_ATTRIBUTES = ['process.command_args', 'process.command_line'] as const;

// The command line can carry secrets (`users passwd --password …`, `--db-url=postgres://u:pw@…`),
// and a resource attribute goes on every span and log record and on Prometheus's target_info.
// What ran stays: the executable, its path and the script (`process.command`).
const processWithoutCommandLine: ResourceDetector = {
  detect: (config) => {
    const detected = processDetector.detect(config);
    const attributes = { ...detected.attributes };
    for (const key of COMMAND_LINE_ATTRIBUTES) delete attributes[key];
    return { ...detected, attributes };
  },
};

const BUILT_IN: Partial<Record<DetectorName, ResourceDetector>> = {
  env: envDetector,
  host: hostDetector,
  os: osDetector,
  process: processWithoutCommandLine,
  serviceinstance: serviceInstanceIdDetector,
};

// Cloud detectors query metadata endpoints: loaded and run only when named.
const CLOUD: Partial<Record<DetectorName, [pkg: string, exports: string[]]>> = {
  container: ['@opentelemetry/resource-detector-container', ['containerDetector']],
  aws: ['@opentelemetry/resource-detector-aws', ['awsEc2Detector', 'awsEcsDetector', 'awsEksDetector']],
  gcp: ['@opentelemetry/resource-detector-gcp', ['gcpDetector']],
  azure: [
    '@opentelemetry/resource-detector-azure',
    ['azureAppServiceDetector', 'azureFunctionsDetector', 'azureVmDetector'],
  ],
};

function detector(name: DetectorName, warn: (message: string) => void): ResourceDetector[] {
  const builtIn = BUILT_IN[name];
  if (builtIn) return [builtIn];
  const cloud = CLOUD[name];
  if (!cloud) return [];
  try {
    const module = lazyRequire(cloud[0]) as Record<string, ResourceDetector | undefined>;
    return cloud[1].map((key) => module[key]).filter((d): d is ResourceDetector => d !== undefined);
  } catch (error) {
    warn(`otelkit: resource detector "${name}" could not be loaded (${(error as Error).message}); skipped`);
    return [];
  }
}

/**
 * The service's resource: the SDK's own (`telemetry.sdk.*`, required by the resource semantic
 * conventions), then the detected attributes, then `OTEL_RESOURCE_ATTRIBUTES` and the explicit
 * options, so what the user said wins. `service.instance.id` comes from the
 * `serviceinstance` detector (a UUID per process), which Prometheus turns into `instance`.
 */
export function buildResource(
  config: ResolvedConfig,
  extra: Record<string, string>,
  warn: (message: string) => void,
): Resource {
  const detectors = config.resourceDetectors.flatMap((name) => detector(name, warn));
  return defaultResource()
    .merge(detectResources({ detectors }))
    .merge(
      resourceFromAttributes({ ...config.resourceAttributes, ...extra, 'service.name': config.serviceName }),
    );
}
