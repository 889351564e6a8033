import { rmSync, statSync } from "node:fs";
import { LineSet } from "./line-set.ts";
import { AppendFile, recordChunks } from "./spill-files.ts";

/** What deduplicating one spill partition needs: a file of records (see spill-files.ts). */
export interface PartitionTask {
  path: string;
  /** Records in the file. */
  rows: number;
  /** Memory the in-memory set may use for it; a bigger partition is split further. */
  budgetBytes: number;
}

/** Bits of the hash that pick a top-level partition (the set's table uses the low bits). */
export const PARTITION_SHIFT = 24;
/** Sub-partitions when a partition is too big for its budget, and the hash bits per level. */
const SPLIT_BITS = 4;

/**
 * One bit per record of a spill partition, set for the records that repeat an earlier one.
 * A file too big for the budget is split by further hash bits (equal lines share all their
 * bits, so they stay together) and its parts done one by one. Pure over its files; a worker
 * thread can run it as well as the main thread.
 */
export function partitionDuplicates(task: PartitionTask, level = 1): Uint8Array {
  const { path, rows, budgetBytes } = task;
  const bits = new Uint8Array((rows + 7) >>> 3);
  const shift = PARTITION_SHIFT - SPLIT_BITS * level;
  // The set needs about the file's bytes for its arena plus ~40 bytes a line for its table.
  if (statSync(path).size + 40 * rows <= budgetBytes || shift < 0) {
    const set = new LineSet(rows);
    let row = 0;
    for (const chunk of recordChunks(path)) {
      set.begin(chunk);
      for (let at = 0; at < chunk.length; row++) {
        const length = chunk.readUInt32LE(at);
        const hash = chunk.readInt32LE(at + 4);
        if (!set.add(hash, at + 8, at + 8 + length)) bits[row >>> 3]! |= 1 << (row & 7);
        at += 8 + length;
      }
      set.end();
    }
    return bits;
  }
  // Split: sub-files by the next hash bits, and which sub-file each record went to.
  const ways = 1 << SPLIT_BITS;
  const subs = Array.from({ length: ways }, (_, q) => new AppendFile(`${path}.${q}`));
  const route = new Uint8Array(rows);
  let row = 0;
  for (const chunk of recordChunks(path)) {
    for (let at = 0; at < chunk.length; row++) {
      const length = chunk.readUInt32LE(at);
      const hash = chunk.readInt32LE(at + 4);
      const q = (hash >>> shift) & (ways - 1);
      subs[q]!.writeRecord(hash, chunk, at + 8, at + 8 + length);
      route[row] = q;
      at += 8 + length;
    }
  }
  const subRows = new Uint32Array(ways);
  for (const q of route) subRows[q]!++;
  for (const s of subs) s.close();
  const subBits = subs.map((s, q) => partitionDuplicates({ path: s.path, rows: subRows[q]!, budgetBytes }, level + 1));
  for (const s of subs) rmSync(s.path, { force: true });
  const seen = new Uint32Array(ways);
  for (let r = 0; r < rows; r++) {
    const q = route[r]!;
    const local = seen[q]!++;
    if ((subBits[q]![local >>> 3]! & (1 << (local & 7))) !== 0) bits[r >>> 3]! |= 1 << (r & 7);
  }
  return bits;
}
