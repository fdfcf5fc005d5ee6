export type { SecurityEventType, SecurityOutcome } from '@otelkit/conventions';
export {
  type AttributeScalar,
  type EventAttributes,
  type EventAttributeValue,
  isSecretKey,
  maskSecrets,
  type SanitizedAttributes,
  sanitizeAttributes,
} from './sanitize-attributes.js';
export { type SecurityEvent, securityEvent } from './security-event.js';
