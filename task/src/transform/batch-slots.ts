/**
 * Memory for the batches in flight, shared by the main thread and the workers: each slot
 * holds a batch's input bytes and room for its result (clean lines, their ends and hashes).
 * The shared memory is handed to each worker once, at start; messages then name a slot
 * instead of carrying buffers. Moving buffers between threads instead (transfer) costs a
 * new ArrayBuffer in the receiving thread every time, and V8 counts each as fresh memory
 * outside its heap, running full garbage collections to find it: about a third of the CPU
 * of a run, before slots.
 */
export interface SlotMemory {
  input: SharedArrayBuffer[];
  clean: SharedArrayBuffer[];
  cleanEnds: SharedArrayBuffer[];
  hashes: SharedArrayBuffer[];
}

/** One thread's long-lived views of the slots (views made once: making them per batch is what costs). */
export class SlotViews {
  readonly input: Buffer[];
  readonly clean: Buffer[];
  readonly cleanEnds: Uint32Array[];
  readonly hashes: Int32Array[];

  constructor(readonly memory: SlotMemory) {
    this.input = memory.input.map((m) => Buffer.from(m));
    this.clean = memory.clean.map((m) => Buffer.from(m));
    this.cleanEnds = memory.cleanEnds.map((m) => new Uint32Array(m));
    this.hashes = memory.hashes.map((m) => new Int32Array(m));
  }

  get count(): number {
    return this.input.length;
  }
}

/** Allocates `count` slots for batches of up to `inputBytes`. */
export function allocateSlots(count: number, inputBytes: number): SlotMemory {
  // Room for what a batch usually becomes; a batch that needs more falls back to memory of its own.
  const cleanBytes = inputBytes + (inputBytes >> 3) + 1024;
  const rows = Math.max(64, inputBytes >> 5);
  const many = (bytes: number) => Array.from({ length: count }, () => new SharedArrayBuffer(bytes));
  return { input: many(inputBytes), clean: many(cleanBytes), cleanEnds: many(4 * rows), hashes: many(4 * rows) };
}

/** The main thread's side: which slots are free. */
export class BatchSlots {
  readonly views: SlotViews;
  private readonly free: number[];

  constructor(memory: SlotMemory) {
    this.views = new SlotViews(memory);
    this.free = Array.from({ length: this.views.count }, (_, i) => this.views.count - 1 - i);
  }

  /** A free slot's input, `bytes` long, or undefined when none is free or big enough. */
  take(bytes: number): Buffer | undefined {
    if (this.free.length === 0 || bytes > this.views.input[0]!.length) return undefined;
    return this.views.input[this.free.pop()!]!.subarray(0, bytes);
  }

  /** The slot whose input `bytes` is, or -1. */
  slotOf(bytes: Buffer): number {
    return this.views.input.findIndex((v) => v.buffer === bytes.buffer);
  }

  /** Frees a slot once its batch and result are done with. */
  release(slot: number): void {
    if (slot >= 0) this.free.push(slot);
  }
}
