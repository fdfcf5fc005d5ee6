import type { Attributes } from '@opentelemetry/api';

/** How sdk-metrics turns a measurement's attributes into the key of its series. */
export type AttributeHash = (attributes: Attributes) => string;

/**
 * Wraps sdk-metrics' attribute hash so that a frozen attributes object whose values are all
 * primitives is hashed once, however often it is recorded with.
 *
 * The hash sorts the keys and JSON-encodes the pairs on every measurement: for the server's
 * request duration that was about 1 µs and 1.9 KB of garbage per request. otelkit records it with
 * one frozen object per series (see `RequestDurationAttributes`), which cannot change, so its hash
 * cannot either. Any other object is hashed each time, as before.
 */
export function hashFrozenAttributesOnce(hash: AttributeHash): AttributeHash {
  const hashes = new WeakMap<Attributes, string>();
  return (attributes) => {
    if (!Object.isFrozen(attributes)) return hash(attributes);
    let hashed = hashes.get(attributes);
    if (hashed === undefined) {
      hashed = hash(attributes);
      if (holdsOnlyFixedValues(attributes)) hashes.set(attributes, hashed);
    }
    return hashed;
  };
}

// A frozen object can still hold a mutable array, or a getter whose value changes.
function holdsOnlyFixedValues(attributes: Attributes): boolean {
  for (const descriptor of Object.values(Object.getOwnPropertyDescriptors(attributes))) {
    if (!('value' in descriptor)) return false;
    if (typeof descriptor.value === 'object' && descriptor.value !== null) return false;
  }
  return true;
}
