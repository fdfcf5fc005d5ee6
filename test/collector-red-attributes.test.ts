import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@otelkit/stack';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Pipeline {
  receivers: string[];
  processors?: string[];
  exporters: string[];
}

interface Config {
  processors: Record<string, { trace_statements?: { statements: string[] }[] }>;
  connectors: {
    span_metrics: { dimensions: { name: string }[] };
    service_graph: {
      dimensions?: string[];
      virtual_node_peer_attributes: string[];
      database_name_attributes?: string[];
    };
  };
  service: { pipelines: Record<string, Pipeline> };
}

const config = parse(readFileSync(join(repoRoot(), 'collector', 'config.yaml'), 'utf8')) as Config;

/** The keys of the `keep_keys(span.attributes, [...])` statement of transform/red_attributes. */
function keptAttributes(): string[] {
  const statements = config.processors['transform/red_attributes']?.trace_statements?.flatMap(
    (g) => g.statements,
  );
  const keep = statements?.find((s) => s.startsWith('keep_keys(span.attributes,'));
  const list = keep?.match(/\[(.*)\]/)?.[1];
  if (list === undefined)
    throw new Error('transform/red_attributes has no keep_keys(span.attributes, [...])');
  return JSON.parse(`[${list}]`) as string[];
}

describe('the RED connectors’ copy of each span (collector/config.yaml)', () => {
  it('keeps exactly the span attributes span_metrics and service_graph read', () => {
    const { span_metrics, service_graph } = config.connectors;
    const read = new Set([
      ...span_metrics.dimensions.map((d) => d.name),
      ...(service_graph.dimensions ?? []),
      ...service_graph.virtual_node_peer_attributes,
      // service_graph's default when the setting is absent.
      ...(service_graph.database_name_attributes ?? ['db.name']),
    ]);
    expect(new Set(keptAttributes())).toEqual(read);
  });

  it('is cut down, then redacted, before the connectors see it', () => {
    const red = Object.values(config.service.pipelines).find((p) => p.exporters.includes('span_metrics'));
    expect(red?.exporters.sort()).toEqual(['service_graph', 'span_metrics']);
    expect(red?.processors).toEqual(['transform/red_attributes', 'redaction', 'transform/redact']);
  });

  it('leaves no traces pipeline that sends spans or metrics out without redaction', () => {
    for (const [name, pipeline] of Object.entries(config.service.pipelines)) {
      if (!name.startsWith('traces')) continue;
      const leaves = pipeline.exporters.some((e) => !e.startsWith('forward/'));
      if (!leaves) continue;
      expect(pipeline.processors, name).toContain('redaction');
      expect(pipeline.processors, name).toContain('transform/redact');
    }
  });
});
