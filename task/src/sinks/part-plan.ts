/**
 * How the clean output is cut into part files for Redshift's COPY: the number of parts a
 * multiple of the slice count, the parts about equal in size, each between 1 MB and 1 GB
 * compressed when the data allows it. Parts are written as the rows come, `partBytes` of
 * rows each, holding back the last `slices × partBytes`; the held-back tail is then split so
 * that the count comes out a multiple of the slices.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/t_splitting-data-files.html
 */

/** One compressed block of whole rows, in output order. */
export interface PlannedBlock {
  rawBytes: number;
  compressedBytes: number;
}

/** COPY's recommended largest compressed file. */
export const MAX_PART_COMPRESSED_BYTES = 1_000_000_000;

/**
 * The uncompressed bytes per part: `partBytes`, but never so much that a part could pass
 * COPY's 1 GB (compressed data is never much bigger than the data).
 */
export function partTarget(partBytes: number): number {
  return Math.max(1, Math.min(partBytes, Math.floor(MAX_PART_COMPRESSED_BYTES * 0.99)));
}

/**
 * How many parts the held-back tail (`tailBytes` uncompressed) becomes, after `written`
 * parts: enough that none is bigger than `target`, and the total a multiple of `slices`.
 * With nothing written yet, at least `slices` parts (some may be empty: the output is small).
 */
export function tailPartCount(written: number, tailBytes: number, slices: number, target: number): number {
  const s = Math.max(1, Math.floor(slices));
  let k = Math.ceil(tailBytes / target);
  if (written + k === 0) k = s;
  while ((written + k) % s !== 0) k++;
  return k;
}

/**
 * Splits consecutive blocks into `parts` groups of about equal compressed size; returns the
 * index of each group's first block (a group whose first block equals the next group's is
 * empty: there are fewer blocks than parts).
 */
export function splitBalanced(blocks: readonly PlannedBlock[], parts: number): number[] {
  const total = blocks.reduce((n, b) => n + b.compressedBytes, 0);
  const firsts: number[] = [];
  let before = 0;
  let block = 0;
  for (let j = 0; j < parts; j++) {
    // Group j starts at the first block whose middle lies at or past j/parts of the tail.
    const from = (total * j) / parts;
    while (block < blocks.length && before + blocks[block]!.compressedBytes / 2 < from) before += blocks[block++]!.compressedBytes;
    firsts.push(j === 0 ? 0 : block);
  }
  return firsts;
}
