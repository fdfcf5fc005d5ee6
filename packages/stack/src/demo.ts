#!/usr/bin/env node
import { runDemoTraffic } from './demo-traffic.js';

// Entry point `otelkit up --demo` starts in the background.
const otlpHttp = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318';
const controller = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => controller.abort());
await runDemoTraffic({ otlpHttp, signal: controller.signal });
