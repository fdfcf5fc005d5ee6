/**
 * `value[key]`, or undefined when reading it throws: a thrown value can be a proxy or carry a
 * throwing getter, and telemetry about an error must not fail on the error itself.
 */
export function readProperty(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}
