import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setImmediate } from "node:timers/promises";
import { LineSet } from "./line-set.ts";
import { PARTITION_SHIFT, partitionDuplicates, type PartitionTask } from "./partition-dedup.ts";
import { AppendFile, ByteReader, RecordReader } from "./spill-files.ts";

/** Options of {@link SpillingDedup}. */
export interface SpillingDedupOptions {
  /** Memory the in-memory set may use, in bytes; past it, lines not seen yet spill to disk. */
  budgetBytes: number;
  /** Local folder for the spill files (a folder of their own is made inside). */
  spillDir: string;
  /** Hash partitions of the spill, a power of two from 2 to 256. Default 64. */
  partitions?: number;
  /** Lines the input probably holds (from its size), to size the in-memory set up front. */
  expectedLines?: number;
  /**
   * Memory a spill partition may use whatever the budget (bigger ones are split by further
   * hash bits). Default 32 MiB: splitting smaller partitions costs more in files than it saves.
   */
  minPartitionBytes?: number;
}

/** What {@link SpillingDedup.offer} decided for one batch. */
export interface OfferResult {
  /** First occurrences, decided now: blocks of lines to write, in order (they must not be changed). */
  kept: { lines: Buffer; rows: number }[];
  keptRows: number;
  duplicates: number;
  /** Lines left for {@link SpillingDedup.drain} to decide. */
  spilled: number;
}

/** Spilled lines per input, as {@link SpillingDedup.drain} decided them. */
export interface DrainResult {
  keptByInput: number[];
  duplicatesByInput: number[];
}

/** Largest block of lines {@link SpillingDedup.drain} hands out. */
const DRAIN_BLOCK_BYTES = 4 << 20;
const MIN_PARTITION_BYTES = 32 << 20;
/** Lines whose table slots are read ahead at once (a power of two). */
const PREFETCH = 16;

/**
 * Exact dedup, first occurrence wins, within a memory budget. Lines go into an in-memory
 * {@link LineSet} until it uses the budget; from then on the set is only looked up, and a
 * line it does not hold is not decided yet: it goes to one of N files by its hash (so equal
 * lines meet in the same file), and its file number to a route log, in input order.
 * {@link drain} then dedups the files one at a time (splitting further any that would not fit)
 * and replays the route log to hand out the spilled first occurrences in input order, after
 * every line kept before the spill. The result is the in-memory path's, byte for byte.
 */
export class SpillingDedup {
  private set: LineSet | undefined;
  private spill: { dir: string; files: AppendFile[]; rows: Uint32Array; route: AppendFile; byInput: number[] } | undefined;
  private readonly partitions: number;
  /** Where prefetched slots go, so the reads are not optimised away. */
  private touched = 0;

  constructor(private readonly options: SpillingDedupOptions) {
    this.partitions = options.partitions ?? 64;
    // No more lines than the budget can hold (at ~100 bytes a line, table and arena).
    this.set = new LineSet(Math.min(options.expectedLines ?? 0, Math.floor(options.budgetBytes / 100)));
  }

  /** Whether lines have spilled to disk. */
  get spilled(): boolean {
    return this.spill !== undefined;
  }

  /** Offers the lines of one batch of input `input`, in order: `lines[ends[i-1], ends[i])` with hash `hashes[i]`. */
  offer(lines: Buffer, ends: Uint32Array, hashes: Int32Array, input: number): OfferResult {
    const set = this.set;
    if (set === undefined) throw new Error("offer after drain");
    let start = 0;
    let keptRows = 0;
    let duplicates = 0;
    let spilled = 0;
    set.begin(lines);
    const spill = this.spill;
    if (spill === undefined) {
      for (let i = 0; i < ends.length; i++) {
        if ((i & (PREFETCH - 1)) === 0) this.touched ^= set.prefetch(hashes, i, Math.min(i + PREFETCH, ends.length));
        const end = ends[i]!;
        if (set.add(hashes[i]!, start, end)) keptRows++;
        else duplicates++;
        start = end;
      }
    } else {
      const shift = PARTITION_SHIFT + 8 - Math.log2(this.partitions);
      for (let i = 0; i < ends.length; i++) {
        if ((i & (PREFETCH - 1)) === 0) this.touched ^= set.prefetch(hashes, i, Math.min(i + PREFETCH, ends.length));
        const end = ends[i]!;
        const hash = hashes[i]!;
        if (set.has(hash, start, end)) {
          duplicates++;
        } else {
          const p = (hash >>> shift) & (this.partitions - 1);
          spill.files[p]!.writeRecord(hash, lines, start, end);
          spill.rows[p]!++;
          spill.route.writeByte(p);
          spilled++;
        }
        start = end;
      }
      spill.byInput[input] = (spill.byInput[input] ?? 0) + spilled;
    }
    const kept = set.end();
    if (this.spill === undefined && set.memoryBytes > this.options.budgetBytes) this.startSpill();
    return { kept, keptRows, duplicates, spilled };
  }

  private startSpill(): void {
    const dir = mkdtempSync(join(this.options.spillDir, "cti-etl-dedup-"));
    const files = Array.from({ length: this.partitions }, (_, p) => new AppendFile(join(dir, `part-${p}`)));
    this.spill = { dir, files, rows: new Uint32Array(this.partitions), route: new AppendFile(join(dir, "route")), byInput: [] };
  }

  /**
   * Decides the spilled lines: hands the first occurrences among them to `write` in input
   * order, in blocks of whole lines, and returns the counts per input. Without a spill, does
   * nothing. The set is released first, so the partitions get the whole budget.
   *
   * `helpers` run partitions elsewhere (worker threads) while this thread runs others; the
   * budget is then shared between the partitions in hand at once.
   */
  async drain(write: (lines: Buffer, rows: number) => Promise<void>, helpers: ((task: PartitionTask) => Promise<Uint8Array>)[] = []): Promise<DrainResult> {
    this.set = undefined;
    const spill = this.spill;
    if (spill === undefined) return { keptByInput: [], duplicatesByInput: [] };
    for (const f of spill.files) f.close();
    spill.route.close();
    const budgetBytes = Math.max(this.options.budgetBytes / (1 + helpers.length), this.options.minPartitionBytes ?? MIN_PARTITION_BYTES);
    const duplicateBits: Uint8Array[] = [];
    let next = 0;
    const task = (p: number): PartitionTask => ({ path: spill.files[p]!.path, rows: spill.rows[p]!, budgetBytes });
    const helping = helpers.map(async (help) => {
      for (let p = next++; p < this.partitions; p = next++) duplicateBits[p] = await help(task(p));
    });
    for (let p = next++; p < this.partitions; p = next++) {
      duplicateBits[p] = partitionDuplicates(task(p));
      // Let the helpers' answers in, and hand them their next partitions.
      await setImmediate();
    }
    await Promise.all(helping);
    const readers = spill.files.map((f) => new RecordReader(f.path));
    const route = new ByteReader(spill.route.path);
    const seenInPartition = new Uint32Array(this.partitions);
    const keptByInput: number[] = [];
    const duplicatesByInput: number[] = [];
    try {
      let out = Buffer.allocUnsafe(DRAIN_BLOCK_BYTES);
      let at = 0;
      let outRows = 0;
      for (let input = 0; input < spill.byInput.length; input++) {
        let kept = 0;
        const n = spill.byInput[input] ?? 0;
        for (let r = 0; r < n; r++) {
          const p = route.next();
          const reader = readers[p]!;
          if (!reader.next()) throw new Error(`spill partition ${p} ended early`);
          const local = seenInPartition[p]!++;
          if ((duplicateBits[p]![local >>> 3]! & (1 << (local & 7))) !== 0) continue;
          kept++;
          const length = reader.recordEnd - reader.recordStart;
          if (at + length > out.length) {
            if (outRows > 0) await write(out.subarray(0, at), outRows);
            // The writer keeps the block until it is compressed: never reuse it.
            out = Buffer.allocUnsafe(Math.max(DRAIN_BLOCK_BYTES, length));
            at = 0;
            outRows = 0;
          }
          reader.buffer.copy(out, at, reader.recordStart, reader.recordEnd);
          at += length;
          outRows++;
        }
        keptByInput[input] = kept;
        duplicatesByInput[input] = n - kept;
      }
      if (outRows > 0) await write(out.subarray(0, at), outRows);
    } finally {
      for (const r of readers) r.close();
      route.close();
    }
    return { keptByInput, duplicatesByInput };
  }

  /** Removes the spill files. */
  close(): void {
    if (this.spill) rmSync(this.spill.dir, { recursive: true, force: true });
    this.spill = undefined;
    this.set = undefined;
  }
}
