/**
 * An exact set of byte strings (clean CSV lines): open addressing on a 32-bit hash given by
 * the caller, with the lines themselves kept in an arena of large blocks and compared byte
 * for byte when hashes match, so a hash collision never drops a line. A JavaScript `Set` of
 * strings costs about 3× the memory and most of the job's time in GC at millions of lines.
 *
 * Lines are offered batch by batch from one source buffer ({@link begin}). New lines are
 * copied into the arena in runs of consecutive lines, and {@link end} returns the arena
 * bytes added since {@link begin}: the batch's first occurrences, in order, ready to write.
 */
export class LineSet {
  /** Pairs [hash, entry + 1]; 0 marks an empty slot. */
  private slots = new Int32Array(2 * 1024);
  private mask = 1023;
  /** Triples [block, offset, length] per line. */
  private entries = new Int32Array(3 * 1024);
  private count = 0;
  private readonly blocks: Buffer[] = [];
  /** Bytes used in each block but the current one. */
  private readonly blockEnds: number[] = [];
  private block: Buffer = Buffer.alloc(0);
  private used = 0;

  // The batch in progress.
  private src: Buffer = Buffer.alloc(0);
  private batchBlock = 0;
  private batchOffset = 0;
  /** Lines added in the batch, per block from `batchBlock` on. */
  private batchRows: number[] = [];
  /** Lines accepted but not copied yet: `src[runStart, runEnd)` goes to the arena at `runAt`. */
  private runStart = 0;
  private runEnd = 0;
  private runAt = 0;

  /** Size of the next arena block: they double from 64 KiB up to `blockBytes`. */
  private nextBlockBytes: number;

  /**
   * @param expectedLines lines the set will probably hold: sizing the table for them up front
   *   saves rehashing it as it grows (each rehash touches every line, at random).
   * @param blockBytes largest arena block.
   */
  constructor(expectedLines = 0, private readonly blockBytes = 16 << 20) {
    this.nextBlockBytes = Math.min(blockBytes, 64 << 10);
    if (expectedLines > 512) {
      const capacity = 2 ** Math.ceil(Math.log2(2 * expectedLines));
      this.slots = new Int32Array(2 * capacity);
      this.mask = capacity - 1;
      this.entries = new Int32Array(3 * expectedLines);
    }
  }

  /** Distinct lines held. */
  get size(): number {
    return this.count;
  }

  /** Bytes allocated: arena blocks, hash table, entries. */
  get memoryBytes(): number {
    return this.blocks.reduce((n, b) => n + b.length, 0) + this.slots.byteLength + this.entries.byteLength;
  }

  /** Starts a batch of lines taken from `src`. */
  begin(src: Buffer): void {
    this.src = src;
    this.runStart = this.runEnd = 0;
    this.batchBlock = this.blocks.length - 1;
    this.batchOffset = this.used;
    this.batchRows = [0];
  }

  /** Whether `src[start, end)` (hash `hash`, a 32-bit integer) is in the set. */
  has(hash: number, start: number, end: number): boolean {
    return this.find(hash, start, end) >= 0;
  }

  /**
   * Reads the table slots of `hashes[from, to)` and nothing else: the reads are independent,
   * so the CPU has them all in flight at once, and the {@link add}s or {@link has}es that
   * follow find the slots in cache. Past the caches each probe otherwise waits on memory
   * alone (most of the dedup's time, for a table of millions of lines).
   */
  prefetch(hashes: Int32Array, from: number, to: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let touched = 0;
    for (let i = from; i < to; i++) touched |= slots[2 * (hashes[i]! & mask) + 1]!;
    return touched;
  }

  /** Adds `src[start, end)` (hash `hash`) unless present; true when it was new. */
  add(hash: number, start: number, end: number): boolean {
    const slot = this.find(hash, start, end);
    if (slot >= 0) return false;
    const length = end - start;
    // Extend the pending run when this line follows it and fits the block; else start a run.
    if (this.runEnd === start && this.runEnd > this.runStart && this.runAt + (end - this.runStart) <= this.block.length) {
      this.runEnd = end;
    } else {
      this.flushRun();
      if (this.used + length > this.block.length) {
        this.newBlock(length);
        this.batchRows.push(0);
      }
      this.runStart = start;
      this.runEnd = end;
      this.runAt = this.used;
    }
    const offset = this.runAt + (start - this.runStart);
    this.used = offset + length;
    this.insert(~slot, hash, this.blocks.length - 1, offset, length);
    this.batchRows[this.batchRows.length - 1]!++;
    return true;
  }

  /** Ends the batch; returns the arena bytes added since {@link begin}, in order, with their line counts. */
  end(): { lines: Buffer; rows: number }[] {
    this.flushRun();
    const added: { lines: Buffer; rows: number }[] = [];
    this.batchRows.forEach((rows, k) => {
      const b = this.batchBlock + k;
      if (rows === 0) return;
      const from = k === 0 ? this.batchOffset : 0;
      const to = b === this.blocks.length - 1 ? this.used : this.blockEnds[b]!;
      added.push({ lines: this.blocks[b]!.subarray(from, to), rows });
    });
    this.src = Buffer.alloc(0);
    return added;
  }

  private flushRun(): void {
    if (this.runEnd > this.runStart) this.src.copy(this.block, this.runAt, this.runStart, this.runEnd);
    this.runStart = this.runEnd = 0;
  }

  private newBlock(atLeast: number): void {
    if (this.blocks.length > 0) this.blockEnds.push(this.used);
    this.block = Buffer.allocUnsafeSlow(Math.max(this.nextBlockBytes, atLeast));
    this.nextBlockBytes = Math.min(this.blockBytes, 2 * this.nextBlockBytes);
    this.blocks.push(this.block);
    this.used = 0;
  }

  /** The slot holding the line, or `~slot` of the empty slot where it would go. */
  private find(hash: number, start: number, end: number): number {
    hash |= 0;
    const slots = this.slots;
    const mask = this.mask;
    let i = hash & mask;
    for (;;) {
      const entry = slots[2 * i + 1]!;
      if (entry === 0) return ~i;
      if (slots[2 * i] === hash && this.equals(entry - 1, start, end)) return i;
      i = (i + 1) & mask;
    }
  }

  private equals(entry: number, start: number, end: number): boolean {
    const e = 3 * entry;
    const length = this.entries[e + 2]!;
    if (length !== end - start) return false;
    const block = this.entries[e]!;
    const offset = this.entries[e + 1]!;
    // A line of the pending run is still only in `src`.
    if (block === this.blocks.length - 1 && offset >= this.runAt && this.runEnd > this.runStart) {
      const at = this.runStart + (offset - this.runAt);
      return this.src.compare(this.src, at, at + length, start, end) === 0;
    }
    return this.src.compare(this.blocks[block]!, offset, offset + length, start, end) === 0;
  }

  private insert(emptySlot: number, hash: number, block: number, offset: number, length: number): void {
    if (3 * (this.count + 1) > this.entries.length) {
      const bigger = new Int32Array(this.entries.length * 2);
      bigger.set(this.entries);
      this.entries = bigger;
    }
    const e = 3 * this.count;
    this.entries[e] = block;
    this.entries[e + 1] = offset;
    this.entries[e + 2] = length;
    this.count++;
    this.slots[2 * emptySlot] = hash | 0;
    this.slots[2 * emptySlot + 1] = this.count;
    // Keep the load under one half so probes stay short.
    if (2 * this.count > this.mask) this.grow();
  }

  private grow(): void {
    const old = this.slots;
    const capacity = 2 * (this.mask + 1);
    this.slots = new Int32Array(2 * capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < old.length; i += 2) {
      const entry = old[i + 1]!;
      if (entry === 0) continue;
      const hash = old[i]!;
      let j = hash & this.mask;
      while (this.slots[2 * j + 1] !== 0) j = (j + 1) & this.mask;
      this.slots[2 * j] = hash;
      this.slots[2 * j + 1] = entry;
    }
  }
}
