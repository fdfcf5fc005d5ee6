/*
 * Same idea as @otelkit/node's fingerprint (packages/node/src/errors/fingerprint.ts), for browser
 * stacks: a fingerprint groups occurrences of "the same error" and must survive what changes
 * between occurrences but not between causes: the message (it carries ids), line and column
 * numbers (every deploy moves them), the origin the script is served from (CDN hosts change), query
 * strings and content hashes in file names (cache busting). No crypto: SubtleCrypto is async, and a
 * 64-bit FNV-1a hash is enough to tell a code base's throw sites apart.
 */

/** How many stack frames, counted from the throw site, identify an error. */
const FRAME_COUNT = 5;

/** One parsed stack frame. */
export interface StackFrame {
  /** Function name, `<anonymous>` when it has none. */
  function: string;
  /** Script URL as the browser reported it (scrub it before sending). */
  url: string;
  /** 1-based line, when known. */
  line?: number;
  /** 1-based column, when known. */
  column?: number;
}

// Chrome/Edge: `    at fn (https://host/app.js:10:5)` or `    at https://host/app.js:10:5`.
const V8_FRAME =
  /^\s*at\s+(?:async\s+)?(?:(.*?)\s+\()?((?:[a-z-]+:\/\/|\/|<anonymous>|eval|native).*?)(?::(\d+))?(?::(\d+))?\)?\s*$/i;
// Firefox/Safari: `fn@https://host/app.js:10:5`, `@https://host/app.js:10:5`.
const GECKO_FRAME = /^\s*(.*?)@(.*?)(?::(\d+))?(?::(\d+))?\s*$/;

/** Parses a V8, SpiderMonkey or JavaScriptCore stack string into frames, top first. */
export function parseStack(stack: string | undefined, limit = 50): StackFrame[] {
  if (!stack) return [];
  const frames: StackFrame[] = [];
  for (const raw of stack.split('\n')) {
    const match = /^\s*at\s/.test(raw) ? V8_FRAME.exec(raw) : GECKO_FRAME.exec(raw);
    if (!match) continue;
    const url = match[2] ?? '';
    if (url === '') continue;
    const frame: StackFrame = {
      function: (match[1] ?? '').replace(/^new\s+/, '').replace(/\s*\[as [^\]]*\]$/, '') || '<anonymous>',
      url,
    };
    if (match[3] !== undefined) frame.line = Number(match[3]);
    if (match[4] !== undefined) frame.column = Number(match[4]);
    frames.push(frame);
    if (frames.length >= limit) break;
  }
  return frames;
}

/** The part of a frame's URL that identifies code: path without origin, query, hash or content hash. */
export function normaliseFrameUrl(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.replace(/[?#].*$/, '');
  }
  // Bundler content hashes change with every deploy: webpack's hex after a dot
  // (`main.3f2a9c1b.js`), and Rollup, Vite and esbuild's 8 characters of base64url, which may
  // hold `-` and `_` and no digit (`main-BNYIIeT-.js`, `chunk-AB12CD34.js`). An all-lowercase
  // segment is a name (`app-settings.js`), not a hash.
  return path
    .replace(/\.[0-9a-f]{8,}(?=\.m?js$)/, '')
    .replace(/[.-]([\w-]{8})(?=\.m?js$)/, (segment, hash: string) => (/[^a-z]/.test(hash) ? '' : segment));
}

/** 64-bit FNV-1a as 16 hex characters, computed as two 32-bit halves (no BigInt needed). */
function fnv1a64(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c ^ (h1 >>> 16), 0x01000193) >>> 0;
  }
  return h2.toString(16).padStart(8, '0') + h1.toString(16).padStart(8, '0');
}

/** Replaces the variable parts of a message (ids, numbers, quoted values) with placeholders. */
function normaliseMessage(message: string): string {
  return message
    .slice(0, 300)
    .replace(/(["'`]).*?\1/g, '<str>')
    .replace(/\b[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/\d+(?:\.\d+)?/g, '<n>');
}

/**
 * A stable identifier of where an error comes from: 16 hex characters over the error's type and
 * its top five frames as `function@path` (no origin, line, column, query string or content hash).
 * Without any frame (cross-origin "Script error.", thrown strings) the normalised message stands in.
 */
export function fingerprint(type: string, frames: readonly StackFrame[], message: string): string {
  const parts = [type];
  for (const frame of frames.slice(0, FRAME_COUNT)) {
    parts.push(`${frame.function}@${normaliseFrameUrl(frame.url)}`);
  }
  if (frames.length === 0) parts.push(`message:${normaliseMessage(message)}`);
  return fnv1a64(parts.join('\n'));
}
