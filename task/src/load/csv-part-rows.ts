/**
 * Reads a clean part (uncompressed CSV, header `key,data`) into batches of rows, for a
 * Postgres client with no COPY FROM STDIN (node-postgres needs the pg-copy-streams package for
 * it). Strict like COPY: the header must be `key,data`, every row exactly two fields, valid
 * UTF-8, quotes closed.
 */
import { TextRecordReader } from "../records/text-record-reader.ts";
import { EtlError } from "../errors.ts";

/** A batch of rows, column by column (the shape `unnest($1::text[], $2::text[])` takes). */
export interface RowBatch {
  keys: string[];
  data: string[];
}

/** The header every clean part starts with. */
export const PART_HEADER = ["key", "data"] as const;

/**
 * Yields the part's rows in batches of at most `batchRows`.
 * @throws EtlError INTERNAL with the part (`location.file`) and line of the first row that is not a clean row.
 */
export async function* csvPartBatches(chunks: AsyncIterable<Uint8Array>, url: string, batchRows: number): AsyncIterable<RowBatch> {
  let header = false;
  let batch: RowBatch = { keys: [], data: [] };
  const ready: RowBatch[] = [];
  const bad = (line: number, why: string) => new EtlError("INTERNAL", `line ${line}: ${why}`, { file: url, line });
  const reader = new TextRecordReader(({ fields, line, unterminated, invalid }) => {
    if (unterminated) throw bad(line, "a quoted field is not closed");
    if (invalid.includes(true)) throw bad(line, "not valid UTF-8");
    if (!header) {
      if (fields.length !== 2 || fields[0] !== PART_HEADER[0] || fields[1] !== PART_HEADER[1]) {
        throw bad(line, `the header is ${JSON.stringify(fields)}, not key,data`);
      }
      header = true;
      return;
    }
    if (fields.length !== 2) throw bad(line, `${fields.length} fields, not 2`);
    batch.keys.push(fields[0]!);
    batch.data.push(fields[1]!);
    if (batch.keys.length >= batchRows) {
      ready.push(batch);
      batch = { keys: [], data: [] };
    }
  });
  for await (const chunk of chunks) {
    reader.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    yield* ready.splice(0);
  }
  reader.end();
  if (!header) throw bad(1, "the part is empty: no key,data header");
  yield* ready.splice(0);
  if (batch.keys.length > 0) yield batch;
}
