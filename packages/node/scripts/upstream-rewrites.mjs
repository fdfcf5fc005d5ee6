// The upstream files @otelkit/node's bundle (scripts/bundle.mjs) rewrites as esbuild loads them,
// each for a reason given with it. Separate from the build so that tests can bundle upstream code
// through the same rewrites.
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * A plugin that rewrites an upstream file as esbuild loads it. `rewrite(source, path)` returns the
 * new contents, or throws when the code it expects is not there. The build fails then, and also
 * when fewer than `files` files matched `filter` (a file moved): either way upstream changed under the
 * plugin, and the bundle would silently have lost what it does.
 */
function upstreamRewrite(name, filter, rewrite, files = 1) {
  return {
    name,
    setup(pluginBuild) {
      let rewritten = 0;
      pluginBuild.onLoad({ filter }, async ({ path }) => {
        const contents = rewrite(await readFile(path, 'utf8'), path);
        rewritten += 1;
        return { contents, loader: 'js' };
      });
      pluginBuild.onEnd((result) => {
        if (rewritten < files && result.errors.length === 0)
          throw new Error(
            `${name}: ${rewritten} files matched ${filter} where ${files} were expected; update this plugin`,
          );
      });
    },
  };
}

/**
 * `source` with its one occurrence of `expected` replaced by `replacement`; throws, naming the
 * file and the first line expected, when `expected` is not there exactly once.
 */
function replaceOnce(source, path, expected, replacement) {
  if (source.split(expected).length !== 2)
    throw new Error(`${path}: no single \`${expected.trim().split('\n')[0]}\`; update this plugin`);
  return source.replace(expected, () => replacement);
}

// @opentelemetry/resources loads its host.id reader with
// `(await import('./getMachineId-linux.js')).getMachineId`. esbuild turns such a chunk into an ES
// module with only a default export, so the reader came back undefined and no resource had
// host.id. A require() bundles the readers as the CommonJS modules they are.
export const requireMachineIdReaders = upstreamRewrite(
  'require-machine-id-readers',
  /[/\\]@opentelemetry[/\\]resources[/\\].*[/\\]getMachineId\.js$/,
  (source, path) => {
    const contents = source.replace(/\(await import\((['"][^'"]+['"])\)\)/g, 'require($1)');
    if (contents === source) throw new Error(`${path}: no dynamic import to rewrite; update this plugin`);
    return contents;
  },
);

// The OTLP exporters' retrying transport waits between attempts with a plain setTimeout, which
// kept an ending application alive for the export timeout after otelkit had given up on an
// unreachable Collector. Its waits go through src/sdk/export-holds.ts, which can let them go.
export const retryTimersFromOtelkit = upstreamRewrite(
  'retry-timers-from-otelkit',
  /[/\\]@opentelemetry[/\\]otlp-exporter-base[/\\].*[/\\]retrying-transport\.js$/,
  (source, path) => {
    const calls = source.match(/\bsetTimeout\(/g)?.length ?? 0;
    if (calls !== 1)
      throw new Error(`${path}: ${calls} setTimeout calls where 1 was expected; update this plugin`);
    const retries = JSON.stringify(join(packageDir, 'src', 'sdk', 'export-holds.ts'));
    return `import { exportRetryTimer } from ${retries};\n${source.replace(/\bsetTimeout\(/, 'exportRetryTimer(')}`;
  },
);

// sdk-metrics hashes a measurement's attributes (sort the keys, JSON-encode the pairs) on every
// record; the wrapper in src/sdk/frozen-attribute-hashes.ts hashes a frozen object once.
export const frozenAttributeHashesOnce = upstreamRewrite(
  'frozen-attribute-hashes-once',
  /[/\\]@opentelemetry[/\\]sdk-metrics[/\\]build[/\\]esnext[/\\]utils\.js$/,
  (source, path) => {
    const wrapper = JSON.stringify(join(packageDir, 'src', 'sdk', 'frozen-attribute-hashes.ts'));
    return [
      `import { hashFrozenAttributesOnce } from ${wrapper};`,
      replaceOnce(
        source,
        path,
        'export function hashAttributes(attributes) {',
        'function hashAttributesEachTime(attributes) {',
      ),
      'export const hashAttributes = hashFrozenAttributesOnce(hashAttributesEachTime);',
    ].join('\n');
  },
);

// Two rewrites of upstream's OTLP protobuf serializers for traces and logs, which encode every
// span and log record the process sends (docs/performance.md, session 23). Metrics go out every
// few seconds and are left alone. The bytes they write stay the same.
// - One pass. They walk each batch twice: with a size estimator, to allocate the exact buffer,
//   then again to write. Their writer can also grow its buffer and widen a length it reserved too
//   short, so one pass is enough when it starts from a good guess (src/sdk/serialized-size-hint.ts).
//   A batch of bench-server spans took about 40 % less CPU to encode.
// - IDs without a new array each: `writer.writeBytes(hexToBinary(id))` copies the bytes at once,
//   so the decoding can reuse one array per ID length (src/sdk/scratch-id-bytes.ts).
const SERIALIZERS =
  /[/\\]@opentelemetry[/\\]otlp-transformer[/\\]build[/\\]esnext[/\\](trace|logs)[/\\]protobuf[/\\](trace|logs)-serializer\.js$/;
const ESTIMATE_THEN_WRITE =
  /\/\/ First pass: estimate size\n\s*const estimator = new ProtobufSizeEstimator\(\);\n\s*for \(const \[resource, scopeMap\] of resourceMap\) \{\n\s*estimator\.writeTag\(1, 2\);\n\s*serializeResource\w+\(estimator, resource, scopeMap\);\n\s*\}\n\s*\/\/ Second pass: write with estimated size\n\s*const writer = new ProtobufWriter\(estimator\.pos\);/g;
const ID_COPY = 'writer.writeBytes(hexToBinary(';
export const leanOtlpSerializers = upstreamRewrite(
  'lean-otlp-serializers',
  SERIALIZERS,
  (source, path) => {
    const entry = [...source.matchAll(/^export function serialize\w+ExportRequest\((\w+)\) \{$/gm)];
    const passes = source.match(ESTIMATE_THEN_WRITE)?.length ?? 0;
    const returns = source.split('return writer.finish();').length - 1;
    const idCopies = source.split(ID_COPY).length - 1;
    if (entry.length !== 1 || passes !== 1 || returns !== 1 || idCopies === 0)
      throw new Error(
        `${path}: expected one export function estimating then writing, and IDs copied as they are decoded (found ${entry.length} functions, ${passes} estimates, ${returns} returns, ${idCopies} ID copies); update this plugin`,
      );
    const items = entry[0][1];
    const module = (name) => JSON.stringify(join(packageDir, 'src', 'sdk', name));
    return [
      `import { SerializedSizeHint } from ${module('serialized-size-hint.ts')};`,
      `import { scratchIdBytes } from ${module('scratch-id-bytes.ts')};`,
      source
        .replace(
          ESTIMATE_THEN_WRITE,
          `const writer = new ProtobufWriter(sizeHint.capacity(${items}.length));`,
        )
        .replace('return writer.finish();', `return sizeHint.record(writer.finish(), ${items}.length);`)
        .replaceAll(ID_COPY, 'writer.writeBytes(idBytes('),
      'const sizeHint = new SerializedSizeHint();',
      'const idBytes = scratchIdBytes(hexToBinary);',
    ].join('\n');
  },
  2,
);

// sdk-trace's Tracer copies and checks a new span's attributes for the sampler, then again after
// merging in what the sampler added, and the span copies them a third time. When the sampler adds
// nothing (the built-in samplers never do), the second copy equals the first and is skipped.
const SECOND_ATTRIBUTE_COPY =
  'const initAttributes = sanitizeAttributes(Object.assign(attributes, samplingResult.attributes));';
export const spanAttributesCopiedOnceForSampler = upstreamRewrite(
  'span-attributes-copied-once-for-sampler',
  /[/\\]@opentelemetry[/\\]sdk-trace[/\\]build[/\\]esnext[/\\]Tracer\.js$/,
  (source, path) =>
    replaceOnce(
      source,
      path,
      SECOND_ATTRIBUTE_COPY,
      'const initAttributes = samplingResult.attributes === undefined ? attributes : sanitizeAttributes(Object.assign(attributes, samplingResult.attributes));',
    ),
);

// winston-transport turns each winston record into a log record through two object-rest copies
// of the record, a Set of the keys an exception took, and spreads of three one-key objects: half
// of the 1 KB its function allocated per log line of the bench server (heap sampling). The same
// attributes, in the same order, come from one pass over the record's own keys.
const RECORD_COPIES = `    const { message, level, ...splat } = record;
    const { [semantic_conventions_1.ATTR_OTEL_EVENT_NAME]: eventName, ...rest } = splat;
    const attributes = {};`;
const RECORD_KEYS_LOOP = `    const excludedAttributes = new Set(exceptionPayload?.excludedAttributes ?? []);
    for (const key in rest) {
        if (Object.prototype.hasOwnProperty.call(rest, key) &&
            !excludedAttributes.has(key) &&
            !LOG_CORRELATION_FIELDS.has(key)) {
            attributes[key] = normalizeAttributeValue(rest[key]);
        }
    }`;
const RECORD_SPREADS = `    const logRecord = {
        severityNumber,
        severityText: levelSym,
        body: message,
        attributes: attributes,
        ...(context ? { context } : {}),
        ...(exceptionPayload ? { exception: exceptionPayload.exception } : {}),
        ...(normalizedEventName !== undefined
            ? { eventName: normalizedEventName }
            : {}),
    };`;
export const leanWinstonLogRecords = upstreamRewrite(
  'lean-winston-log-records',
  /[/\\]@opentelemetry[/\\]winston-transport[/\\]build[/\\]src[/\\]utils\.js$/,
  (source, path) => {
    const copies = replaceOnce(
      source,
      path,
      RECORD_COPIES,
      `    const message = record.message;
    const eventName = record[semantic_conventions_1.ATTR_OTEL_EVENT_NAME];
    const attributes = {};`,
    );
    const loop = replaceOnce(
      copies,
      path,
      RECORD_KEYS_LOOP,
      `    const excludedAttributes = exceptionPayload?.excludedAttributes;
    for (const key in record) {
        if (key === 'message' || key === 'level' || key === semantic_conventions_1.ATTR_OTEL_EVENT_NAME)
            continue;
        if (Object.prototype.hasOwnProperty.call(record, key) &&
            !excludedAttributes?.includes(key) &&
            !LOG_CORRELATION_FIELDS.has(key)) {
            attributes[key] = normalizeAttributeValue(record[key]);
        }
    }`,
    );
    return replaceOnce(
      loop,
      path,
      RECORD_SPREADS,
      `    const logRecord = { severityNumber, severityText: levelSym, body: message, attributes };
    if (context) logRecord.context = context;
    if (exceptionPayload) logRecord.exception = exceptionPayload.exception;
    if (normalizedEventName !== undefined) logRecord.eventName = normalizedEventName;`,
    );
  },
);
