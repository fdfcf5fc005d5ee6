/** The buffer a first request starts with: about 200 spans of the usual size. */
const FIRST_CAPACITY = 65_536;
/** Room for what the running average misses (a batch of larger items), before the writer grows. */
const HEADROOM = 1.25;
/** Resource and scope: written once per request, whatever its size. */
const ENVELOPE_BYTES = 1024;

/**
 * How large a buffer the next OTLP protobuf request of one signal needs, from the bytes per item
 * of the requests before it.
 *
 * Upstream's serializers walk every batch twice: once to compute its exact size, once to write
 * it. The bundle writes in one pass instead (`leanOtlpSerializers` in
 * scripts/upstream-rewrites.mjs), into a buffer of this capacity. The writer grows its buffer
 * when a batch is larger than that, so a wrong guess costs a copy, never data. The guess is per
 * item, so a small batch after a large one does not get, and hold while it is sent, the large
 * one's buffer.
 */
export class SerializedSizeHint {
  private bytesPerItem = 0;

  /** The capacity to start a request of `items` items with. */
  capacity(items: number): number {
    if (this.bytesPerItem === 0) return FIRST_CAPACITY;
    return Math.ceil(this.bytesPerItem * items * HEADROOM) + ENVELOPE_BYTES;
  }

  /** Learns from a written request of `items` items, and returns it. */
  record(request: Uint8Array, items: number): Uint8Array {
    if (items > 0) this.bytesPerItem = request.length / items;
    return request;
  }
}
