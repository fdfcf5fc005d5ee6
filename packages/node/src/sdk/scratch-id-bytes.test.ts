import { describe, expect, it } from 'vitest';
import { scratchIdBytes } from './scratch-id-bytes.js';

// otlp-transformer's hexToBinary, as 0.223.0 has it: the reference the wrapper must match.
function hexToBinary(hex: string): Uint8Array {
  const value = (code: number) =>
    code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : code - 55;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0, at = 0; i < hex.length; i += 2)
    bytes[at++] = (value(hex.charCodeAt(i)) << 4) | value(hex.charCodeAt(i + 1));
  return bytes;
}

describe('scratchIdBytes', () => {
  const idBytes = scratchIdBytes(hexToBinary);

  it('decodes trace and span IDs as upstream does, upper case and stray characters included', () => {
    for (const id of [
      '0af7651916cd43dd8448eb211c80319c',
      'b7ad6b7169203331',
      'AB'.repeat(16),
      'zz'.repeat(8),
      '-'.repeat(32),
    ]) {
      expect(Array.from(idBytes(id))).toEqual(Array.from(hexToBinary(id)));
    }
  });

  it('reuses one array per ID length, which the next ID of that length overwrites', () => {
    const first = idBytes('00000000000000000000000000000001');
    const second = idBytes('00000000000000000000000000000002');
    expect(second).toBe(first);
    expect(first[15]).toBe(2);
    expect(idBytes('0000000000000003')).not.toBe(first);
  });

  it('leaves any other length to upstream, a new array each time', () => {
    expect(Array.from(idBytes('abcd'))).toEqual([0xab, 0xcd]);
    expect(idBytes('abcd')).not.toBe(idBytes('abcd'));
    expect(Array.from(idBytes('abc'))).toEqual(Array.from(hexToBinary('abc')));
  });
});
