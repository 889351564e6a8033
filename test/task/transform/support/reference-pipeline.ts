import type { RecordCounts } from "../../../../task/src/records/record-counts.ts";
import { simpleTransform } from "../../../support/simple-transform.ts";

/** What the simple transform (the oracle) makes of one input, before dedup: every clean line, and the rejected rows. */
export function simplePathLines(input: Buffer, maxFieldBytes = 65535): { clean: string; rejected: string; counts: RecordCounts } {
  const { clean, rejected, counts } = simpleTransform([input], { maxFieldBytes, dedup: false });
  return { clean, rejected, counts: counts[0]! };
}

/** Feeds `input` as chunks cut at `cuts`. */
export async function* chunksOf(input: Buffer, cuts: readonly number[] = []): AsyncGenerator<Buffer> {
  let at = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    if (cut <= at || cut >= input.length) continue;
    yield input.subarray(at, cut);
    at = cut;
  }
  yield input.subarray(at);
}
