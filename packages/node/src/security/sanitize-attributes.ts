import type { AttributeValue } from '@opentelemetry/api';
import { REDACTED } from '@otelkit/conventions';

/** A single attribute value. */
export type AttributeScalar = string | number | boolean;

/**
 * A value applications may attach to errors and security events: what OTLP attributes carry. An
 * array whose items are not all of one type is dropped, as the SDK drops it.
 */
export type EventAttributeValue = AttributeScalar | ReadonlyArray<AttributeScalar | null | undefined>;

/** Attributes applications attach to errors and security events; nullish values are skipped. */
export type EventAttributes = { readonly [key: string]: EventAttributeValue | null | undefined };

/** Attributes after {@link sanitizeAttributes}: secrets masked, invalid values dropped. */
export type SanitizedAttributes = Record<string, AttributeValue>;

/*
 * Secrets never leave the process: every attribute bag an application hands to recordError() or
 * securityEvent() passes through here before it becomes telemetry. The Collector redacts again
 * (collector/config.yaml), but a secret that reaches the exporter has already left the process and
 * may sit in a persistent queue on disk, so we mask first and let the Collector be the backstop.
 * The placeholder is the Collector's, so a redaction looks the same wherever it happened.
 */

/** Substrings of a normalised key (lower case, letters and digits only) that mark it secret. */
const SECRET_KEY_PARTS = [
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'token',
  'apikey',
  'authorization',
  'cookie',
  'sessionid',
  'sessid',
  'creditcard',
  'cardnumber',
  'ccnumber',
  'cvv',
  'cvc',
  'privatekey',
  'credential',
  'signature',
  'jwt',
  'connectionstring',
  'accesskey',
  'clientkey',
  'passcode',
  'mfacode',
  'otpcode',
  'authheader',
];

/** Normalised keys that are secret only as a whole word: as substrings they hit innocent keys. */
const SECRET_KEY_WORDS = new Set(['auth', 'sid', 'otp', 'pin', 'ssn', 'dsn', 'pass', 'pw', 'session']);

/**
 * Whether an attribute key names a secret: passwords, tokens, API keys, authorisation headers,
 * cookies, session ids, card numbers and the like, however they are cased or separated
 * (`apiKey`, `x-api-key`, `http.request.header.authorization`, `SESSION_ID`).
 * A key is judged by its last segment as well as whole, so `user.id` stays while `user.password` goes.
 */
export function isSecretKey(key: string): boolean {
  const normalised = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (SECRET_KEY_WORDS.has(normalised)) return true;
  const lastSegment = key
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .pop();
  if (lastSegment !== undefined && SECRET_KEY_WORDS.has(lastSegment)) return true;
  return SECRET_KEY_PARTS.some((part) => normalised.includes(part));
}

// An opaque credential rather than an English word: long enough, and containing a digit, base64
// punctuation or a lower-to-upper case change. "Bearer token" and "Basic authentication" survive.
const CREDENTIAL = '(?=[A-Za-z0-9._~+/=-]*(?:[0-9+/=._~-]|[a-z][A-Z]))[A-Za-z0-9._~+/=-]{8,}';

/** Each replacer masks one shape of secret inside free text; order matters (JWT before schemes). */
const STRING_MASKS: Array<[RegExp, string]> = [
  // JSON Web Tokens: base64url header and payload both start with `eyJ` (`{"`). A match starts
  // only where a base64url run starts: tried at every `eyJ` inside a long run (`eyJ-eyJ-…`, as
  // an attacker can send), the scan was quadratic, 0.1 s of CPU for 16 KB.
  [/(^|[^A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, `$1${REDACTED}`],
  // Credentials in authorisation headers quoted into messages.
  // Case-sensitive on purpose: CREDENTIAL looks for a case change, so the schemes are spelt out.
  [
    new RegExp(
      String.raw`\b(Bearer|bearer|BEARER|Basic|basic|BASIC|Digest|digest|DIGEST)(\s+)${CREDENTIAL}`,
      'g',
    ),
    `$1$2${REDACTED}`,
  ],
  // user:password@ in URLs and connection strings. The user may be empty (`redis://:pw@host`), and
  // the password runs to the last `@` before the host because drivers quote unencoded passwords
  // (`p@ss`). No `/` or whitespace inside, so a path like `/users/bob@example.com` is left alone.
  // The scheme is bounded so that long dotted words cannot make each match attempt scan the text.
  [/(\b[a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/:@]*:[^\s/]*@/gi, `$1${REDACTED}@`],
  // A password written into SQL, as the Collector's transform/redact masks it: PostgreSQL
  // "PASSWORD '…'" and "PASSWORD $$…$$", SQL Server "PASSWORD = N'…'", MySQL "IDENTIFIED [WITH
  // plugin] BY '…'", "SET PASSWORD [FOR user] = '…'" and "PASSWORD('…')". Before the
  // query-parameter rule, which would take only the start of a quoted value ("password='two
  // words'", libpq's connection strings).
  [
    /(\b(?:password(?:\s+for\s+\S+?\s*=\s*|\s*=\s*|\s*\(\s*|\s+)|identified(?:\s+with\s+(?:\w+|'[^']*'|`[^`]*`))?\s+by\s+)[ne]?)(?:(')(?:[^'\\]|''|\\.)*'|(")[^"]*"|(\$\w*\$)[\s\S]*?\4)/gi,
    `$1$2$3$4${REDACTED}$2$3$4`,
  ],
  // The old password of MySQL's "IDENTIFIED BY '…' REPLACE '…'", known by the masked one before it.
  [
    new RegExp(
      String.raw`(['"]${REDACTED.replace(/[[\]]/g, '\\$&')}['"]\s+replace\s+)(?:(')(?:[^'\\]|''|\\.)*'|(")[^"]*")`,
      'gi',
    ),
    `$1$2$3${REDACTED}$2$3`,
  ],
  // Secret query parameters, as the Collector's transform/redact does: after ?, & or ;, or first
  // in a query given without its "?".
  [
    /((?:^|[?&;])(?:token|access_token|id_token|refresh_token|password|passwd|pwd|secret|client_secret|api_key|apikey|key|signature|sig|auth)=)[^&#;\s]*/gi,
    `$1${REDACTED}`,
  ],
  // Tokens whose shape names them wherever they appear: GitHub, Stripe secret, Slack, AWS access
  // key ids, Google API keys.
  [
    // AWS key ids are base32, so "ASIAPACIFICREGION123" is no key. A Google key has no end
    // boundary: it may end in "-", where \b finds none, and one written with a suffix
    // ("AIza…-prod") is still a key. A longer word starting with AIza loses 39 characters.
    /\b(?:(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{22,}|[sr]k_(?:live|test)_[A-Za-z0-9]{10,}|xox[abeprs]-[A-Za-z0-9-]{10,}|(?:AKIA|ASIA)[A-Z2-7]{16})\b|AIza[\w-]{35})/g,
    REDACTED,
  ],
  // key=value, key: value and "key":"value" in prose and JSON; a quoted value is masked up to its
  // closing quote, spaces included, and SQL's N'…' and E'…' keep their prefix. MySQL's
  // "PASSWORD = PASSWORD('…')" was masked inside the parentheses above.
  [
    /(\b(?:password|passwd|passphrase|passcode|pwd|secret|client_secret|api[_-]?key|access[_-]?token|refresh[_-]?token|token)["']?\s*[=:]\s*(?:[ne](?=['"]))?)(?!password\s*\()(?:(")[^"\n]*"?|(')[^'\n]*'?|[^\s,;&"'}]+)/gi,
    `$1$2$3${REDACTED}$2$3`,
  ],
];

// Card numbers: 13 to 19 digits, optionally grouped by spaces or dashes, with a card network's
// prefix. Luhn-checked below so that ids and millisecond timestamps survive.
const CARD_CANDIDATE = /\b(?:4|5[1-5]|2[2-7]|3[0-9]|6)(?:[ -]?\d){11,17}\b/g;

function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

function maskCardNumbers(text: string): string {
  return text.replace(CARD_CANDIDATE, (candidate) => {
    const digits = candidate.replace(/[ -]/g, '');
    return digits.length >= 13 && digits.length <= 19 && passesLuhn(digits) ? REDACTED : candidate;
  });
}

/**
 * Masks secrets inside free text (messages, stack traces, reasons): bearer/basic credentials,
 * JWTs, passwords in URLs, secret query parameters, `password=...`-style pairs and card numbers.
 * The surrounding text stays, so the message is still useful.
 */
export function maskSecrets(text: string): string {
  let masked = text;
  for (const [pattern, replacement] of STRING_MASKS) masked = masked.replace(pattern, replacement);
  return maskCardNumbers(masked);
}

type SanitizedValue = SanitizedAttributes[string];

function sanitizeValue(value: EventAttributeValue): SanitizedValue {
  if (typeof value === 'string') return maskSecrets(value);
  if (typeof value === 'number') {
    // A card number stored as a number is still a card number.
    return Number.isInteger(value) && maskCardNumbers(String(value)) === REDACTED ? REDACTED : value;
  }
  if (typeof value === 'boolean') return value;
  // Homogeneous arrays (isAttributeValue) stay homogeneous: only strings are rewritten, holes kept.
  return value.map((item) => (typeof item === 'string' ? maskSecrets(item) : item)) as AttributeValue;
}

function isScalar(value: unknown): value is AttributeScalar {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && !Number.isNaN(value))
  );
}

function isAttributeValue(value: unknown): value is EventAttributeValue {
  if (isScalar(value)) return true;
  if (!Array.isArray(value)) return false;
  let itemType: string | undefined;
  for (const item of value) {
    if (item === null || item === undefined) continue;
    if (!isScalar(item) || (itemType !== undefined && typeof item !== itemType)) return false;
    itemType = typeof item;
  }
  return true;
}

/**
 * Returns a copy of `attributes` that is safe to export: values under secret-looking keys
 * ({@link isSecretKey}) become `[REDACTED]`, secrets inside other string values are masked
 * ({@link maskSecrets}), and values that are not valid attribute values (`undefined`, `null`,
 * objects, functions, which JavaScript callers can pass despite the types) are dropped.
 * Never throws.
 */
export function sanitizeAttributes(attributes: EventAttributes | undefined): SanitizedAttributes {
  const safe: SanitizedAttributes = {};
  if (attributes === null || typeof attributes !== 'object') return safe;
  try {
    for (const [key, value] of Object.entries(attributes)) {
      if (!isAttributeValue(value)) continue;
      safe[key] = isSecretKey(key) ? REDACTED : sanitizeValue(value);
    }
  } catch {
    // A throwing getter or proxy stops the copy; what was already checked is still safe to keep.
  }
  return safe;
}

/**
 * A copy of an arbitrary value (a thrown plain object, say) with secret-looking keys redacted at
 * every level, strings masked, and nesting cut at `depth`, fit to be printed with util.inspect.
 * Never throws.
 */
export function redactDeep(value: unknown, depth = 3): unknown {
  try {
    if (typeof value === 'string') return maskSecrets(value);
    if (value === null || typeof value !== 'object') return value;
    if (depth <= 0) return Array.isArray(value) ? '[Array]' : '[Object]';
    if (Array.isArray(value)) return value.slice(0, 50).map((item) => redactDeep(item, depth - 1));
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      copy[key] = isSecretKey(key) ? REDACTED : redactDeep(item, depth - 1);
    }
    return copy;
  } catch {
    return '[Unreadable]';
  }
}
