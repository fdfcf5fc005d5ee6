import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { REDACTED } from '@otelkit/conventions';

/*
 * The browser is the first place personal data can leak from, and the last place it is cheap to
 * remove: once a URL with `?token=` is in a span it is in every backend. The Collector redacts
 * again (collector/config.yaml), but defence in depth means the page never sends it at all.
 */

/** Query parameter names whose values are secrets: matched case-insensitively, as a whole name. */
const SECRET_PARAM =
  /^(?:token|access_token|id_token|refresh_token|auth|authorization|password|passwd|pwd|secret|client_secret|api_key|apikey|api-key|key|signature|sig|session|sessionid|code)$/i;
const SECRET_PARAM_IN_TEXT =
  /([?&;#](?:token|access_token|id_token|refresh_token|auth|password|passwd|pwd|secret|client_secret|api_key|apikey|api-key|key|signature|sig|code)=)[^&#;\s"']*/gi;
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
    return scrubText(url);
  }
}

/** Attribute names whose whole value is a secret, whatever it looks like. */
const SECRET_KEY =
  /(?:^|[._-])(?:password|passwd|pwd|secret|client_secret|api[._-]?key|apikey|access[._-]?token|refresh[._-]?token|private[._-]?key|credentials?|authorization|cookie|set[._-]cookie)$/i;

function scrubValue(value: AttributeValue): AttributeValue {
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) {
    return value.map((item) => (typeof item === 'string' ? scrubText(item) : item)) as AttributeValue;
  }
  return value;
}

/** A copy of `attributes` with secret-named keys masked and every string value scrubbed. */
export function scrubAttributes(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    out[key] = SECRET_KEY.test(key) ? REDACTED : scrubValue(value);
  }
  return out;
}
