import { CsvByteReader } from "../../task/src/csv/csv-byte-reader.ts";
import { CsvTokenizer } from "../../task/src/csv/csv-tokenizer.ts";

/** A row as the tokenizer reported it. */
export interface Row {
  fields: string[];
  line: number;
  unterminated: boolean;
  invalidMask: number;
}

/** Tokenizes `input` through the byte front-end, cut into chunks at the given offsets. */
export function tokenize(input: Buffer | string, cuts: readonly number[] = []): Row[] {
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  const rows: Row[] = [];
  const reader = new CsvByteReader(new CsvTokenizer((fields, line, unterminated, invalidMask) => rows.push({ fields, line, unterminated, invalidMask })));
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
