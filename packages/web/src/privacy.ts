import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { REDACTED } from '@otelkit/conventions';

/*
 * The browser is the first place personal data can leak from, and the last place it is cheap to
 * remove: once a URL with `?token=` is in a span it is in every backend. The Collector redacts
 * again (collector/config.yaml), but defence in depth means the page never sends it at all.
 */

/**
 * Query parameter names whose values are secrets, matched case-insensitively as a whole name. One
 * list for both the URL parser and the free-text pattern, so a name cannot be masked in one place
 * and leak through the other. Presigned cloud-storage URLs carry their credentials this way too.
 */
const SECRET_PARAM_NAMES =
  'token|access_token|id_token|refresh_token|auth|authorization|password|passwd|pwd|secret|client_secret|api_key|apikey|api-key|key|signature|sig|session|sessionid|code|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential';
const SECRET_PARAM = new RegExp(`^(?:${SECRET_PARAM_NAMES})$`, 'i');
const SECRET_PARAM_IN_TEXT = new RegExp(`([?&;#](?:${SECRET_PARAM_NAMES})=)[^&#;\\s"']*`, 'gi');
const EMAIL = /[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}/gi;
const BEARER = /\b(bearer|basic)\s+[a-z0-9._~+/=-]{8,}/gi;
// `https://user:pass@host/`: credentials in the authority part of a URL.
// The user may be empty (`redis://:pw@host`), and the password runs to the last `@` before the
// host, as unencoded passwords (`p@ss`) do in messages.
const URL_CREDENTIALS = /(\/\/)[^/@:\s]*:[^/\s]*@/g;
// JWTs appear bare in paths and messages: three base64url segments, the first starting `eyJ`.
// Matched only where a base64url run starts, so a long run of `eyJ-` is not rescanned from each.
const JWT = /(^|[^a-z0-9_-])eyJ[a-z0-9_-]{5,}\.[a-z0-9_-]{5,}\.[a-z0-9_-]{5,}/gi;

/** Masks secrets, credentials and email addresses inside free text (messages, URLs, names). */
export function scrubText(text: string): string {
  if (text.length === 0) return text;
  return text
    .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
    .replace(SECRET_PARAM_IN_TEXT, `$1${REDACTED}`)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(JWT, `$1${REDACTED}`)
    .replace(EMAIL, '[REDACTED:email]');
}

/**
 * A URL fit to send: credentials, secret query parameters and emails masked, the fragment
 * dropped (single-page apps keep OAuth tokens there). Anything unparsable is scrubbed as text.
 */
export function scrubUrl(url: string, base?: string): string {
  try {
    const parsed = new URL(url, base);
    parsed.username = '';
    parsed.password = '';
    parsed.hash = '';
    for (const name of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, REDACTED);
    }
    // URLSearchParams re-encodes `[REDACTED]`; readable brackets are what the Collector's rules write too.
    return scrubText(parsed.href.replace(/%5BREDACTED%5D/g, REDACTED));
  } catch {
    // Relative or malformed: no parser, but the fragment still goes and the text rules apply.
    return scrubText(url.replace(/#.*$/s, ''));
  }
}

/**
 * Attributes whose value is a whole URL (the instrumentations set `url.full`; `http.url` is the
 * older name apps and older instrumentations use): scrubbed as URLs, which also drops fragments.
 */
const URL_KEYS = new Set(['url.full', 'http.url', 'url.original', 'http.request.header.referer']);

/** Attribute names whose whole value is a secret, whatever it looks like. */
const SECRET_KEY =
  /(?:^|[._-])(?:password|passwd|pwd|secret|client_secret|api[._-]?key|apikey|token|access[._-]?token|refresh[._-]?token|private[._-]?key|credentials?|authorization|cookie|set[._-]cookie)$/i;

/** Whether an attribute or object key names a secret (`password`, `token`, `apiKey`, `authorization`, …). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

function scrubValue(value: AttributeValue, scrub: (text: string) => string): AttributeValue {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) {
    return value.map((item) => (typeof item === 'string' ? scrub(item) : item)) as AttributeValue;
  }
  return value;
}

// `url.query` has no leading `?`, which the text pattern needs to see a parameter name.
const scrubQuery = (query: string) => scrubText(`?${query}`).slice(1);
const scrubWholeUrl = (url: string) => scrubUrl(url);

/**
 * A copy of `attributes` with secret-named keys masked, URL-valued ones scrubbed as URLs (secret
 * parameters masked, fragment dropped), `url.fragment` left out, and every other string scrubbed.
 */
export function scrubAttributes(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    // Fragments carry OAuth tokens and app state in single-page apps; never sent.
    if (value === undefined || key === 'url.fragment') continue;
    out[key] = isSecretKey(key)
      ? REDACTED
      : scrubValue(value, URL_KEYS.has(key) ? scrubWholeUrl : key === 'url.query' ? scrubQuery : scrubText);
  }
  return out;
}
