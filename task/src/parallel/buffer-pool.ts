/**
 * Memory handed back and forth between threads, reused instead of reallocated: every batch
 * needs a few megabytes of input and output, and fresh ones each time (memory outside V8's
 * heap) make V8 run full garbage collections just to free them.
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];

  /** @param keep most buffers held for reuse; more are dropped. */
  constructor(private readonly keep = 8) {}

  /**
   * A Buffer of `bytes` bytes at the start of an ArrayBuffer of its own (so it can be
   * transferred), from the pool when one is big enough, else new with `capacity` bytes.
   */
  take(bytes: number, capacity = bytes): Buffer<ArrayBuffer> {
    const i = this.free.findIndex((ab) => ab.byteLength >= bytes);
    const ab = i >= 0 ? this.free.splice(i, 1)[0]! : (Buffer.allocUnsafeSlow(Math.max(bytes, capacity)).buffer as ArrayBuffer);
    return Buffer.from(ab, 0, bytes);
  }

  /** Gives memory back for reuse; whatever used it must be done with it. */
  give(ab: ArrayBufferLike | undefined): void {
    // A transferred (detached) ArrayBuffer has length 0.
    if (ab instanceof ArrayBuffer && ab.byteLength > 0 && this.free.length < this.keep) this.free.push(ab);
  }
}
