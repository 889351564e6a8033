/**
 * `npm run bench:reader`: the job's CSV reader against csv-parse, the well-kept library it
 * replaces, on the same generated 1,000,000-row file, alternating over rounds. Ours is the
 * engine on one thread (record splitter, then the batch transform's RFC 4180 scan), which also
 * normalises and validates every row, so it does more than csv-parse's tokenizing. The reader is
 * hand-written only because this shows a clear win; test/task/records/csv-differential.test.ts
 * checks its RFC 4180 rules against csv-parse on generated files.
 */
import { existsSync } from "node:fs";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse";
import { writeSample } from "../task/scripts/generate-sample.ts";
import { BatchTransformer } from "../task/src/transform/batch-transform.ts";
import { inputBatches } from "../task/src/transform/input-batches.ts";

const ROWS = 1_000_000;
const ROUNDS = 5;
const file = join(".cache", "data", `sample-${ROWS}-s42.csv`);

async function ours(): Promise<number> {
  let rows = 1; // the header, which csv-parse counts as a row
  const transformer = new BatchTransformer({ maxFieldBytes: 65535 });
  const chunks = createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
  for await (const batch of inputBatches(chunks, file, 4 << 20)) rows += transformer.transform(batch.bytes, batch.layout, batch.final).rowsRead;
  return rows;
}

async function csvParse(): Promise<number> {
  let rows = 0;
  const parser = createReadStream(file, { highWaterMark: 1 << 20 }).pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true }));
  for await (const _ of parser) rows++;
  return rows;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (!existsSync(file)) await writeSample(file, ROWS);
const times: Record<string, number[]> = { "cti-etl reader": [], "csv-parse 7": [] };
const counts = new Set<number>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of [["cti-etl reader", ours], ["csv-parse 7", csvParse]] as const) {
    const start = performance.now();
    counts.add(await run());
    times[name]!.push((performance.now() - start) / 1000);
  }
}
if (counts.size !== 1) throw new Error(`readers disagree on the row count: ${[...counts].join(", ")}`);
const ref = median(times["csv-parse 7"]!);
console.log(`CSV reading, ${ROWS.toLocaleString("en-US")} rows (${file}), median of ${ROUNDS} rounds (csv-parse: tokenize only; cti-etl: read, normalise, validate):`);
for (const [name, ts] of Object.entries(times)) {
  const m = median(ts);
  console.log(`  ${name.padEnd(16)} ${m.toFixed(2)} s  ${Math.round(ROWS / m).toLocaleString("en-US").padStart(11)} rows/s  ${(m / ref).toFixed(2)}× csv-parse`);
}
