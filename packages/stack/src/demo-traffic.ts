import { type Context, context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVICE_NAME,
} from '@opentelemetry/semantic-conventions';

/** One simulated service with its own SDK providers, as a real process would have. */
interface SimulatedService {
  tracer: ReturnType<BasicTracerProvider['getTracer']>;
  logger: ReturnType<LoggerProvider['getLogger']>;
  shutdown(): Promise<void>;
  requests: ReturnType<ReturnType<MeterProvider['getMeter']>['createCounter']>;
}

function simulatedService(name: string, otlpHttp: string): SimulatedService {
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: name,
    'service.instance.id': `${name}-demo-1`,
  });
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpHttp}/v1/traces` }))],
  });
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${otlpHttp}/v1/metrics` }),
        exportIntervalMillis: 5000,
      }),
    ],
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [
      new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${otlpHttp}/v1/logs` }) }),
    ],
  });
  return {
    tracer: tracerProvider.getTracer('otelkit-demo'),
    logger: loggerProvider.getLogger('otelkit-demo'),
    requests: meterProvider.getMeter('otelkit-demo').createCounter('demo.orders.placed', {
      description: 'Orders the demo shop accepted',
    }),
    shutdown: async () => {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]);
    },
  };
}

const ROUTES = ['/api/orders', '/api/orders/:id', '/api/catalog'] as const;

/**
 * Sends a steady stream of realistic telemetry from two services (`demo-frontend` calling
 * `demo-backend`) through the official OTel JS SDK and OTLP exporters: server and client spans
 * with HTTP semantic conventions, some errors and slow requests, a counter and correlated logs.
 * It stands in for a real application until the example services exist.
 */
export async function runDemoTraffic(options: {
  otlpHttp: string;
  requestsPerSecond?: number;
  signal?: AbortSignal;
}): Promise<void> {
  const frontend = simulatedService('demo-frontend', options.otlpHttp);
  const backend = simulatedService('demo-backend', options.otlpHttp);
  const interval = 1000 / (options.requestsPerSecond ?? 5);
  let n = 0;
  while (!options.signal?.aborted) {
    simulateRequest(frontend, backend, n++);
    await new Promise((resolveTick) => setTimeout(resolveTick, interval));
  }
  await Promise.all([frontend.shutdown(), backend.shutdown()]);
}

function simulateRequest(frontend: SimulatedService, backend: SimulatedService, n: number): void {
  const route = ROUTES[n % ROUTES.length] ?? '/api/orders';
  const failed = n % 17 === 0;
  const slow = n % 23 === 0;
  const now = Date.now();
  const backendMs = (slow ? 1200 : 20) + Math.random() * 40;
  const server = frontend.tracer.startSpan(
    `GET ${route}`,
    {
      kind: SpanKind.SERVER,
      startTime: now,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: 'GET', [ATTR_HTTP_ROUTE]: route },
    },
    context.active(),
  );
  const serverCtx: Context = trace.setSpan(context.active(), server);
  const client = frontend.tracer.startSpan(
    'GET',
    { kind: SpanKind.CLIENT, startTime: now + 2, attributes: { [ATTR_HTTP_REQUEST_METHOD]: 'GET' } },
    serverCtx,
  );
  const clientCtx = trace.setSpan(serverCtx, client);
  const handler = backend.tracer.startSpan(
    `GET ${route}`,
    {
      kind: SpanKind.SERVER,
      startTime: now + 3,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: 'GET', [ATTR_HTTP_ROUTE]: route },
    },
    clientCtx,
  );
  const status = failed ? 500 : 200;
  for (const span of [handler, client, server]) {
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: 'inventory service unavailable' });
  }
  backend.logger.emit({
    severityNumber: failed ? SeverityNumber.ERROR : SeverityNumber.INFO,
    severityText: failed ? 'ERROR' : 'INFO',
    body: failed ? `order lookup failed on ${route}` : `served ${route}`,
    context: trace.setSpan(clientCtx, handler),
  });
  handler.end(now + 3 + backendMs);
  client.end(now + 5 + backendMs);
  server.end(now + 8 + backendMs);
  frontend.requests.add(1, { [ATTR_HTTP_ROUTE]: route, outcome: failed ? 'error' : 'ok' });
}
