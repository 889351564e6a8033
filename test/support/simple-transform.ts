/**
 * The simple transform, kept as a test oracle: the job's former single-thread path (a string
 * tokenizer written apart from task/src/records/rfc4180.ts, the record schema row by row, dedup in
 * a Set of clean lines). The engine (task/src/transform/) must produce exactly its clean lines,
 * rejected rows and counts, on every worker count. Beside it, reference-transform.ts models
 * the clean rows with csv-parse.
 */
import type { RecordCounts } from "../../task/src/records/record-counts.ts";
import { createRecordSchema, type RecordSchema } from "../../task/src/records/record-schema.ts";
import { CsvByteReader } from "./simple-transform/csv-byte-reader.ts";
import { CsvTokenizer } from "./simple-transform/csv-tokenizer.ts";
import { RecordProcessor } from "./simple-transform/record-processor.ts";

export { formatField } from "./simple-transform/record-processor.ts";

/** What the oracle makes of some inputs: the clean lines, the rejected rows (`line,key,data,reason`), the counts of each input. */
export interface SimpleOutcome {
  clean: string;
  rejected: string;
  counts: RecordCounts[];
}

const schemas = new Map<number, RecordSchema>();

function schemaFor(maxFieldBytes: number): RecordSchema {
  const schema = schemas.get(maxFieldBytes) ?? createRecordSchema({ maxFieldBytes });
  schemas.set(maxFieldBytes, schema);
  return schema;
}

/**
 * Transforms `inputs` in order (each an uncompressed input's bytes, in chunks cut at `cuts`),
 * deduplicating across them unless `dedup` is false.
 */
export function simpleTransform(inputs: readonly Buffer[], options: { maxFieldBytes?: number; dedup?: boolean; cuts?: readonly number[] } = {}): SimpleOutcome {
  const schema = schemaFor(options.maxFieldBytes ?? 65535);
  const seen = new Set<string>();
  const firstSeen = options.dedup === false ? () => true : (line: string) => !seen.has(line) && seen.add(line) !== undefined;
  let clean = "";
  let rejected = "";
  const counts: RecordCounts[] = [];
  for (const input of inputs) {
    const processor = new RecordProcessor(schema, firstSeen, "f.csv");
    const reader = new CsvByteReader(new CsvTokenizer(processor.onRow));
    let at = 0;
    for (const cut of [...new Set(options.cuts ?? [])].sort((a, b) => a - b)) {
      if (cut <= at || cut >= input.length) continue;
      reader.push(input.subarray(at, cut));
      at = cut;
    }
    reader.push(input.subarray(at));
    reader.end();
    processor.assertHeaderSeen();
    clean += processor.clean;
    rejected += processor.rejected;
    counts.push(processor.counts);
  }
  return { clean, rejected, counts };
}
