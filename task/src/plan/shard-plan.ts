/**
 * The shard plan of a fanned-out run: the input's objects, in key order, cut into contiguous
 * shards of whole objects (a gzip object cannot be split) of about a byte target each. One
 * Fargate task transforms one shard; the plan is the run's input contract, reused by every
 * retry and redrive. Pure: listing and storing the plan are the callers'.
 */

/** One input object as planned: where it is, its size, and (S3) the ETag every read is pinned to. */
export interface PlannedObject {
  uri: string;
  bytes: number;
  etag?: string;
}

/** A contiguous run of whole objects, transformed by one task. */
export interface Shard {
  /** 0-based position in the plan. */
  index: number;
  /** The sum of its objects' sizes. */
  bytes: number;
  objects: PlannedObject[];
}

/**
 * The objects in S3's listing order: by the UTF-8 bytes of their URI (ListObjectsV2 returns
 * keys in UTF-8 binary order, which JavaScript's UTF-16 string order does not match for
 * characters past U+FFFF), so the plan of a prefix is the same whoever lists it.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
export function inKeyOrder<T extends { uri: string }>(objects: readonly T[]): T[] {
  return [...objects].sort((a, b) => Buffer.compare(Buffer.from(a.uri), Buffer.from(b.uri)));
}

/**
 * Cuts `objects` (in order) into contiguous shards of about `targetBytes` each, none empty:
 * - as few shards as keep each one at most `targetBytes`, unless it is a single larger object;
 * - balanced: each cut is the object boundary nearest to its even share of the total, so a shard
 *   differs from the mean by at most the largest object's size (not the greedy packing's
 *   full shards and a small remainder, which would leave one task idle while the rest work).
 * An empty list is one empty shard, so a run over no objects still plans, shards and commits.
 */
export function planShards(objects: readonly PlannedObject[], targetBytes: number): Shard[] {
  if (!Number.isSafeInteger(targetBytes) || targetBytes < 1) throw new RangeError(`the shard target must be a positive whole number of bytes (was ${targetBytes})`);
  if (objects.length === 0) return [{ index: 0, bytes: 0, objects: [] }];
  const ends = prefixSums(objects.map((o) => o.bytes));
  const total = ends.at(-1)!;
  for (let count = Math.max(1, Math.ceil(total / targetBytes)); ; count++) {
    const cuts = evenCuts(ends, count);
    const shards = cuts.slice(1).map((end, i) => toShard(i, objects.slice(cuts[i], end)));
    if (shards.every((s) => s.bytes <= targetBytes || s.objects.length === 1)) return shards;
  }
}

/** `[0, s0, s0+s1, …]`: where each object ends, in bytes from the start of the input. */
function prefixSums(sizes: readonly number[]): number[] {
  const ends = [0];
  for (const size of sizes) ends.push(ends.at(-1)! + size);
  return ends;
}

/**
 * Object indexes where `count` shards start and end (`[0, …, n]`): cut `j` at the boundary
 * nearest to `j × total / count`, never before the previous cut plus one object, and leaving at
 * least one object for each shard after it.
 */
function evenCuts(ends: readonly number[], count: number): number[] {
  const n = ends.length - 1;
  const shards = Math.min(count, n);
  const total = ends[n]!;
  const cuts = [0];
  for (let j = 1; j < shards; j++) {
    const ideal = (j * total) / shards;
    const lowest = cuts.at(-1)! + 1;
    const highest = n - (shards - j);
    // The first boundary at or past the ideal, then whichever of it and the one before is nearer.
    let lo = lowest;
    let hi = highest;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid]! < ideal) lo = mid + 1;
      else hi = mid;
    }
    cuts.push(lo > lowest && ideal - ends[lo - 1]! <= ends[lo]! - ideal ? lo - 1 : lo);
  }
  cuts.push(n);
  return cuts;
}

function toShard(index: number, objects: PlannedObject[]): Shard {
  return { index, bytes: objects.reduce((sum, o) => sum + o.bytes, 0), objects };
}
