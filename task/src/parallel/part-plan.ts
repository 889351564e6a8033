/**
 * How the clean output is cut into part files for Redshift's COPY: the number of parts a
 * multiple of the slice count, parts about equal in compressed size and each between 1 MB and
 * 1 GB compressed when the data allows it.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/t_splitting-data-files.html
 */

/** One compressed block of whole rows, in output order. */
export interface PlannedBlock {
  rawBytes: number;
  compressedBytes: number;
}

/** Options of {@link planParts}. */
export interface PartPlanOptions {
  /** The part count is a multiple of this (the cluster's slice count). */
  slices: number;
  /** Most uncompressed bytes a part should hold; more parts are made to stay under it. */
  partBytes: number;
  /** Most compressed bytes a part may hold. Default 1 GB, COPY's recommended maximum. */
  maxCompressedBytes?: number;
}

/** COPY's recommended largest compressed file. */
export const MAX_PART_COMPRESSED_BYTES = 1_000_000_000;

/**
 * Groups consecutive blocks into parts; returns, for each part, the index of its first block
 * (a part whose first block equals the next part's holds no rows: more parts were needed
 * than there are blocks). Always at least `slices` parts.
 */
export function planParts(blocks: readonly PlannedBlock[], options: PartPlanOptions): number[] {
  const slices = Math.max(1, Math.floor(options.slices));
  const maxCompressed = options.maxCompressedBytes ?? MAX_PART_COMPRESSED_BYTES;
  const raw = blocks.reduce((n, b) => n + b.rawBytes, 0);
  const compressed = blocks.reduce((n, b) => n + b.compressedBytes, 0);
  const largest = blocks.reduce((n, b) => Math.max(n, b.compressedBytes), 0);
  // Balancing by whole blocks can overshoot a part's share by up to one block.
  const room = Math.max(1, maxCompressed - largest);
  const rounds = Math.max(1, Math.ceil(raw / (slices * options.partBytes)), Math.ceil(compressed / (slices * room)));
  // No more parts than needed to give each non-empty part a block, rounded up to the slices.
  const parts = slices * Math.max(1, Math.min(rounds, Math.ceil(blocks.length / slices)));
  // Part j starts at the first block whose middle lies at or past j/parts of the output.
  const firsts: number[] = [];
  let before = 0;
  let block = 0;
  for (let j = 0; j < parts; j++) {
    const from = (compressed * j) / parts;
    while (block < blocks.length && before + blocks[block]!.compressedBytes / 2 < from) before += blocks[block++]!.compressedBytes;
    firsts.push(j === 0 ? 0 : block);
  }
  return firsts;
}
