import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
};
type KeyValue = { key: string; value?: AnyValue };
type Attributes = Record<string, string | number | boolean | undefined>;

/** OTLP span kinds, as {@link SinkSpan.kind} carries them (not the API's `SpanKind` numbers). */
export const OtlpSpanKind = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

/** OTLP status codes, as {@link SinkSpan.statusCode} carries them. */
export const OtlpStatusCode = { unset: 0, ok: 1, error: 2 } as const;

/** A span as the sink (standing in for Tempo) received it. */
export interface SinkSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  /** OTLP span kind: see {@link OtlpSpanKind}. */
  kind: number;
  name: string;
  attributes: Attributes;
  resource: Attributes;
  statusCode: number;
  /** The status description; empty when there is none. */
  statusMessage: string;
  /** The span's events (exceptions among them), in order. */
  events: { name: string; attributes: Attributes }[];
}

/** A log record as the sink (standing in for Loki) received it. */
export interface SinkLog {
  traceId: string;
  spanId: string;
  body: string;
  attributes: Attributes;
  resource: Attributes;
}

function flatten(list: KeyValue[] | undefined): Attributes {
  const out: Attributes = {};
  for (const { key, value } of list ?? []) {
    out[key] =
      value?.stringValue ??
      (value?.intValue !== undefined ? Number(value.intValue) : undefined) ??
      value?.boolValue ??
      value?.doubleValue;
  }
  return out;
}

function lines(path: string): unknown[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as unknown);
}

interface TracesLine {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        kind?: number;
        name: string;
        attributes?: KeyValue[];
        status?: { code?: number; message?: string };
        events?: { name: string; attributes?: KeyValue[] }[];
      }[];
    }[];
  }[];
}

interface LogsLine {
  resourceLogs?: {
    resource?: { attributes?: KeyValue[] };
    scopeLogs?: {
      logRecords?: { traceId?: string; spanId?: string; body?: AnyValue; attributes?: KeyValue[] }[];
    }[];
  }[];
}

/** Every span the sink has written so far. */
export function sinkSpans(sinkDir: string): SinkSpan[] {
  const spans: SinkSpan[] = [];
  for (const line of lines(join(sinkDir, 'traces.jsonl')) as TracesLine[]) {
    for (const rs of line.resourceSpans ?? []) {
      const resource = flatten(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const span of ss.spans ?? []) {
          spans.push({
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? '',
            kind: span.kind ?? 0,
            name: span.name,
            attributes: flatten(span.attributes),
            resource,
            statusCode: span.status?.code ?? 0,
            statusMessage: span.status?.message ?? '',
            events: (span.events ?? []).map((e) => ({ name: e.name, attributes: flatten(e.attributes) })),
          });
        }
      }
    }
  }
  return spans;
}

/** Every log record the sink has written so far. */
export function sinkLogs(sinkDir: string): SinkLog[] {
  const logs: SinkLog[] = [];
  for (const line of lines(join(sinkDir, 'logs.jsonl')) as LogsLine[]) {
    for (const rl of line.resourceLogs ?? []) {
      const resource = flatten(rl.resource?.attributes);
      for (const sl of rl.scopeLogs ?? []) {
        for (const record of sl.logRecords ?? []) {
          logs.push({
            traceId: record.traceId ?? '',
            spanId: record.spanId ?? '',
            body: record.body?.stringValue ?? '',
            attributes: flatten(record.attributes),
            resource,
          });
        }
      }
    }
  }
  return logs;
}

/**
 * The trace of `service`'s request to `path` as the sink has it so far: its server span and every
 * span of its trace; undefined until the server span arrives.
 */
export function requestTrace(
  sinkDir: string,
  service: string,
  path: string,
): { server: SinkSpan; spans: SinkSpan[] } | undefined {
  const all = sinkSpans(sinkDir);
  const server = all.find(
    (s) =>
      s.resource['service.name'] === service &&
      s.kind === OtlpSpanKind.server &&
      s.attributes['url.path'] === path,
  );
  return server && { server, spans: all.filter((s) => s.traceId === server.traceId) };
}

/** Whether `span`'s parent chain within `spans` reaches `ancestor`. */
export function descendsFrom(span: SinkSpan, ancestor: SinkSpan, spans: readonly SinkSpan[]): boolean {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  let current: SinkSpan | undefined = span;
  while (current && current !== ancestor) current = byId.get(current.parentSpanId);
  return current === ancestor;
}
