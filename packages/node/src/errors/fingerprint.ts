import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readProperty } from './read-property.js';

/*
 * A fingerprint groups occurrences of "the same error" the way an error tracker groups issues.
 * It must survive what changes between occurrences but not between causes: the message (it carries
 * ids), line and column numbers (every deploy moves them), where the code is installed (absolute
 * paths, pnpm's versioned store paths, file:// URLs, cache-busting query strings) and recursion
 * depth. It must change with the error's type and with the code path that threw it.
 */

/** How many stack frames, counted from the throw site, identify an error. */
const FRAME_COUNT = 5;

/**
 * The type of a thrown value as `exception.type` reports it: the error's `name` when it is more
 * specific than `Error`, else its constructor's name (a subclass that never set `name`), and
 * `typeof` for thrown primitives (`string`, `number`, `undefined`; `null` for null).
 */
export function exceptionType(error: unknown): string {
  if (error === null) return 'null';
  if (typeof error !== 'object' && typeof error !== 'function') return typeof error;
  const name = readProperty(error, 'name');
  const constructorValue = readProperty(error, 'constructor');
  const constructorName =
    typeof constructorValue === 'function' && typeof constructorValue.name === 'string'
      ? constructorValue.name
      : '';
  if (typeof name === 'string' && name !== '' && name !== 'Error') return name;
  if (constructorName !== '' && constructorName !== 'Object' && constructorName !== 'Error')
    return constructorName;
  if (typeof name === 'string' && name !== '') return name;
  return constructorName || 'Object';
}

/** The stack of a thrown value if it has a usable one. */
export function stackOf(error: unknown): string | undefined {
  if (error === null || (typeof error !== 'object' && typeof error !== 'function')) return undefined;
  const stack = readProperty(error, 'stack');
  return typeof stack === 'string' && stack !== '' ? stack : undefined;
}

function toPosix(path: string): string {
  return path.replace(/\\/g, '/');
}

/**
 * A frame's location as a POSIX path: line and column, query and hash removed, and a file:// URL
 * (ES module frames; percent-encoded, a space is %20) read as the path it names, so that it can
 * match otelkit's own folder and the working directory.
 */
function locationPath(location: string): string {
  const loc = location.replace(/:\d+(?::\d+)?$/, '').replace(/[?#].*$/, '');
  if (!loc.startsWith('file://')) return toPosix(loc);
  try {
    return toPosix(fileURLToPath(loc));
  } catch {
    return toPosix(loc.slice('file://'.length));
  }
}

/** `location` (trimmed, as in the stack) normalised; `path` is its {@link locationPath}. */
function normaliseLocation(location: string, path: string, cwd: string): string {
  if (location.startsWith('eval at ')) return 'eval';
  // `Promise.all (index 3)`, `new Promise (<anonymous>)`, native frames: nothing stable to keep.
  if (location === '<anonymous>' || location === 'native' || /^index \d+$/.test(location)) return '';
  const nodeModules = path.lastIndexOf('node_modules/');
  if (nodeModules !== -1) return path.slice(nodeModules + 'node_modules/'.length);
  if (cwd !== '' && path.startsWith(cwd)) return path.slice(cwd.length);
  return path;
}

/**
 * The folder of otelkit's own built code, whose frames are left out. They sit among the
 * application's frames wherever otelkit wraps a call (its server hook, `context.with`), and the
 * bundle's chunk names carry a content hash and its functions get names from the bundler: every
 * otelkit release would change the fingerprint of the same bug.
 */
const OWN_DIST = ((): string | undefined => {
  try {
    const here = toPosix(fileURLToPath(import.meta.url));
    const at = here.lastIndexOf('/dist/');
    if (at === -1) return undefined;
    // Only otelkit's own package: an application that bundles this code into its own dist/
    // must keep its frames.
    const manifest = JSON.parse(readFileSync(`${here.slice(0, at)}/package.json`, 'utf8')) as {
      name?: unknown;
    };
    return manifest.name === '@otelkit/node' ? here.slice(0, at + '/dist/'.length) : undefined;
  } catch {
    return undefined;
  }
})();

function normaliseFunction(name: string): string {
  const fn = name
    .replace(/^new\s+/, '')
    .replace(/\s*\[as [^\]]*\]$/, '')
    .trim();
  return fn === '' ? '<anonymous>' : fn;
}

interface Frame {
  /** Function name, `<anonymous>` when it has none. */
  fn: string;
  /** Normalised file path or URL; empty for built-in frames. */
  location: string;
}

function parseFrames(stack: string, limit: number): Frame[] {
  let cwd = '';
  try {
    cwd = `${toPosix(process.cwd()).replace(/\/$/, '')}/`;
  } catch {
    // process.cwd() throws when the working directory was deleted; paths then stay absolute.
  }
  const frames: Frame[] = [];
  for (const line of stack.split('\n')) {
    const match = /^\s+at\s+(?:async\s+)?(.*)$/.exec(line);
    if (match?.[1] === undefined) continue;
    const body = match[1].trim();
    // `fn (location)`; the location may itself hold parentheses (eval frames), so split at the first ` (`.
    const withFunction = /^(.*?) \((.*)\)$/.exec(body);
    const location = (withFunction ? (withFunction[2] ?? '') : body).trim();
    const path = locationPath(location);
    if (OWN_DIST !== undefined && path.startsWith(OWN_DIST)) continue;
    const frame: Frame = {
      fn: withFunction ? normaliseFunction(withFunction[1] ?? '') : '<anonymous>',
      location: normaliseLocation(location, path, cwd),
    };
    const previous = frames[frames.length - 1];
    if (previous?.fn === frame.fn && previous.location === frame.location) continue;
    frames.push(frame);
    if (frames.length >= limit) break;
  }
  return frames;
}

/**
 * The top stack frames of `stack`, each reduced to `function@path` with line and column numbers,
 * install-location prefixes (up to the last `node_modules/`, or the working directory), `file://`,
 * query strings and hashes removed. Anonymous functions read `<anonymous>`; a run of identical
 * frames (recursion) counts once; otelkit's own frames are left out.
 */
export function normaliseStackFrames(stack: string, limit = FRAME_COUNT): string[] {
  return parseFrames(stack, limit).map((frame) => `${frame.fn}@${frame.location}`);
}

/** Replaces the variable parts of a message (ids, numbers, quoted values) with placeholders. */
function normaliseMessage(message: string): string {
  return message
    .slice(0, 500)
    .replace(/(["'`]).*?\1/g, '<str>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\S+@\S+\.\S+/g, '<email>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
    .replace(/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/\d+(?:\.\d+)?/g, '<n>');
}

function messageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error !== null && typeof error === 'object') {
    const message = readProperty(error, 'message');
    if (typeof message === 'string') return message;
  }
  try {
    return String(error);
  } catch {
    return '';
  }
}

function codeOf(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const code = readProperty(error, 'code');
  if (typeof code === 'number' && Number.isInteger(code)) return String(code);
  // Only short identifier-like codes (`ENOENT`, `NOT_FOUND`): anything else may carry data.
  return typeof code === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(code) ? code : undefined;
}

/**
 * A stable identifier of where an error comes from: 16 hex characters of SHA-256 over the
 * error's type ({@link exceptionType}), its `code` when it is a short identifier (`ENOENT`), and
 * its top five normalised stack frames ({@link normaliseStackFrames}). The message is left out
 * because messages carry ids, except when no frame is outside Node's own code (thrown strings,
 * plain objects, async system errors, rejections with a non-error reason), where the message with
 * its numbers, ids and quoted values replaced by placeholders is all there is to go on.
 *
 * The same throw site gives the same fingerprint in every occurrence, across restarts, deploys
 * that only move lines, and machines that install the code elsewhere; a different type or a
 * different call path gives a different one. Never throws.
 */
export function exceptionFingerprint(error: unknown): string {
  const parts: string[] = [];
  try {
    parts.push(exceptionType(error));
    const code = codeOf(error);
    if (code !== undefined) parts.push(`code:${code}`);
    const stack = stackOf(error);
    const frames = stack === undefined ? [] : parseFrames(stack, FRAME_COUNT);
    parts.push(...frames.map((frame) => `${frame.fn}@${frame.location}`));
    // Without a frame of application or library code (thrown strings, async fs errors, Node's
    // UnhandledPromiseRejection wrapper) every such error would share one fingerprint.
    if (!frames.some((frame) => frame.location !== '' && !frame.location.startsWith('node:'))) {
      parts.push(`message:${normaliseMessage(messageOf(error))}`);
    }
  } catch {
    // Whatever was gathered before the failure still identifies the error better than nothing.
  }
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}
