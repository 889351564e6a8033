import { TextRecordReader } from "../../task/src/records/text-record-reader.ts";
import type { TextRecord } from "../../task/src/records/rfc4180.ts";

/** A record as the engine's RFC 4180 reader reads it. */
export type Row = TextRecord;

/** Reads `input` through the engine's reader (record splitter, then the RFC 4180 scanner), cut into chunks at the given offsets. */
export function tokenize(input: Buffer | string, cuts: readonly number[] = []): Row[] {
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  const rows: Row[] = [];
  const reader = new TextRecordReader((row) => rows.push(row));
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut <= at || cut >= bytes.length) continue;
    reader.push(bytes.subarray(at, cut));
    at = cut;
  }
  reader.push(bytes.subarray(at));
  reader.end();
  return rows;
}

/** Just the fields of each row. */
export function fieldsOf(input: Buffer | string, cuts: readonly number[] = []): string[][] {
  return tokenize(input, cuts).map((r) => r.fields);
}
