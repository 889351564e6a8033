import { CsvByteReader } from "../../../../task/src/csv/csv-byte-reader.ts";
import { CsvTokenizer } from "../../../../task/src/csv/csv-tokenizer.ts";
import type { Deduplicator } from "../../../../task/src/record/dedup.ts";
import { RecordProcessor, type RecordCounts } from "../../../../task/src/record/record-processor.ts";
import { createRecordSchema, type RecordSchema } from "../../../../task/src/record/record-schema.ts";

const schemas = new Map<number, RecordSchema>();

/** What the simple path makes of one input, before dedup: every clean line, and the rejected rows. */
export function simplePathLines(input: Buffer, maxFieldBytes = 65535): { clean: string; rejected: string; counts: RecordCounts } {
  const keepAll = { firstSeen: () => true } as unknown as Deduplicator;
  const schema = schemas.get(maxFieldBytes) ?? createRecordSchema({ maxFieldBytes });
  schemas.set(maxFieldBytes, schema);
  const processor = new RecordProcessor(schema, keepAll, "f.csv");
  const reader = new CsvByteReader(new CsvTokenizer(processor.onRow));
  reader.push(input);
  reader.end();
  processor.assertHeaderSeen();
  return { clean: processor.takeClean(), rejected: processor.takeRejected(), counts: processor.counts };
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
