import { describe, expect, it } from 'vitest';
import { SerializedSizeHint } from './serialized-size-hint.js';

describe('SerializedSizeHint', () => {
  it('starts at 64 KiB, then sizes a request by the bytes per item of the last one', () => {
    const hint = new SerializedSizeHint();
    expect(hint.capacity(512)).toBe(65_536);
    expect(hint.record(new Uint8Array(400), 2)).toHaveLength(400);
    // 200 bytes per item, a quarter more, and the resource and scope.
    expect(hint.capacity(10)).toBe(200 * 10 * 1.25 + 1024);
    expect(hint.capacity(1)).toBe(250 + 1024);
  });

  it('learns nothing from a request without items', () => {
    const hint = new SerializedSizeHint();
    hint.record(new Uint8Array(300), 3);
    hint.record(new Uint8Array(50), 0);
    expect(hint.capacity(4)).toBe(100 * 4 * 1.25 + 1024);
  });
});
