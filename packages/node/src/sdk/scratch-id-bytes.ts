/** What upstream's serializers turn an ID's hex into: a fresh array each time. */
export type HexToBinary = (hex: string) => Uint8Array;

/**
 * Wraps otlp-transformer's `hexToBinary` for its protobuf serializers, which copy the bytes into
 * their buffer at once (`writer.writeBytes(hexToBinary(id))`): a trace or span ID is decoded
 * into one array kept for its length, instead of a new array per ID (three per span, two per log
 * record). Any other length goes to `hexToBinary` as before, so what it does with odd input
 * stays upstream's. Only for a caller that copies the result before the next call.
 */
export function scratchIdBytes(hexToBinary: HexToBinary): HexToBinary {
  const traceId = new Uint8Array(16);
  const spanId = new Uint8Array(8);
  return (hex) => {
    const scratch = hex.length === 32 ? traceId : hex.length === 16 ? spanId : undefined;
    if (scratch === undefined) return hexToBinary(hex);
    for (let i = 0, at = 0; at < scratch.length; i += 2, at++) {
      scratch[at] = (nibble(hex.charCodeAt(i)) << 4) | nibble(hex.charCodeAt(i + 1));
    }
    return scratch;
  };
}

// upstream's intValue: a non-hex character gives what it gives there.
function nibble(charCode: number): number {
  if (charCode >= 48 && charCode <= 57) return charCode - 48;
  if (charCode >= 97 && charCode <= 102) return charCode - 87;
  return charCode - 55;
}
