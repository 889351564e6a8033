import { scope, type } from "arktype";

/**
 * arktype deep-clones a morph's input by default so a morph may mutate it; ours builds a new
 * object, and cloning every row cost more than everything else in the job put together.
 * Compiled (`jitless: false`) even where arktype's own keywords are not (worker threads).
 */
const $ = scope({}, { clone: false, jitless: false });

/** Redshift's largest VARCHAR, in bytes: the default cap on a field's UTF-8 length. */
export const REDSHIFT_MAX_VARCHAR_BYTES = 65535;

/** The reasons a record is rejected. Exactly one applies to a rejected record. */
export const reasons = {
  unterminatedQuote: "Quoted field is not closed before the end of the file",
  tooManyFields: "Row has more fields than the header",
  invalidUtf8: (field: FieldName) => `Field \`${field}\` is not valid UTF-8`,
  empty: "Record is empty",
  required: (field: FieldName) => `Field \`${field}\` is required`,
  tooLong: (field: FieldName, maxBytes: number) => `Field \`${field}\` is longer than ${maxBytes} bytes`,
} as const;

export type FieldName = "Key" | "Data";

/**
 * A record as the CSV reader found it, before validation: raw values (undefined when the
 * row is short) and what the reader noticed about the bytes.
 */
export interface RawRecord {
  key: string | undefined;
  data: string | undefined;
  /** Fields beyond the header's count. */
  extraFields: number;
  /** The first field whose bytes were not valid UTF-8, or "" when all were. */
  invalidUtf8: "" | FieldName;
  /** The record's quoted field was still open at the end of the input. */
  unterminatedQuote: boolean;
}

/** A clean record: both fields trimmed, lowercased and non-empty. */
export interface CleanRecord {
  key: string;
  data: string;
}

/** Trim leading and trailing whitespace, then lowercase (full Unicode). */
export function normalise(value: string | undefined): string {
  return value === undefined ? "" : value.trim().toLowerCase();
}

/** UTF-8 length of `s`, computed only when the cheap bound (3 bytes per UTF-16 unit) can't decide. */
function exceedsBytes(s: string, maxBytes: number): boolean {
  return s.length * 3 > maxBytes && Buffer.byteLength(s, "utf8") > maxBytes;
}

/** Options of {@link createRecordSchema}. */
export interface RecordSchemaOptions {
  /** Largest accepted field after normalisation, in UTF-8 bytes. Default 65535. */
  maxFieldBytes?: number;
}

/**
 * The record schema: the one validator of every row. The input's shape is checked by
 * arktype; one morph then trims and lowercases both fields and applies the rules, so each
 * rejected record carries exactly one reason, in this order: unterminated quote, too many
 * fields, invalid UTF-8, empty/required, too long.
 *
 * The rules live in the morph (returning `ctx.error`) rather than in `.narrow()` steps: each
 * narrow around a morph cost about 4 µs per row in arktype 2.2, more than the rest of the
 * job; a single morph costs well under 1 µs.
 */
export function createRecordSchema(options: RecordSchemaOptions = {}) {
  const maxBytes = options.maxFieldBytes ?? REDSHIFT_MAX_VARCHAR_BYTES;
  return $.type({
    key: "string | undefined",
    data: "string | undefined",
    extraFields: "number",
    invalidUtf8: "string",
    unterminatedQuote: "boolean",
  }).pipe((raw, ctx): CleanRecord | ReturnType<typeof ctx.error> => {
    if (raw.unterminatedQuote) return ctx.error({ message: reasons.unterminatedQuote });
    if (raw.extraFields > 0) return ctx.error({ message: reasons.tooManyFields });
    if (raw.invalidUtf8 === "Key" || raw.invalidUtf8 === "Data") return ctx.error({ message: reasons.invalidUtf8(raw.invalidUtf8) });
    const key = normalise(raw.key);
    const data = normalise(raw.data);
    if (key === "") return ctx.error({ message: data === "" ? reasons.empty : reasons.required("Key") });
    if (data === "") return ctx.error({ message: reasons.required("Data") });
    if (exceedsBytes(key, maxBytes)) return ctx.error({ message: reasons.tooLong("Key", maxBytes) });
    if (exceedsBytes(data, maxBytes)) return ctx.error({ message: reasons.tooLong("Data", maxBytes) });
    return { key, data };
  });
}

export type RecordSchema = ReturnType<typeof createRecordSchema>;

/**
 * What the parallel path measures of a record while it normalises it in bytes: the facts the
 * rules are about, with each field's normalised UTF-8 length in place of its value.
 */
export interface RecordFacts {
  unterminatedQuote: boolean;
  extraFields: number;
  invalidUtf8: "" | FieldName;
  /** UTF-8 length of the normalised Key (0 when empty or missing). */
  keyBytes: number;
  /** UTF-8 length of the normalised Data (0 when empty or missing). */
  dataBytes: number;
}

/**
 * The record schema's rules as a plain arktype type over {@link RecordFacts}: a record is clean
 * exactly when its facts are allowed. It has no morph, so arktype checks it with compiled code
 * (`allows`, about 20 ns) instead of a traversal (about 1 µs per row for the morph schema in
 * arktype 2.2, most of it in bookkeeping around the morph): the parallel path runs it on every
 * row, and runs the record schema on the rows it refuses, to name the reason.
 */
export function createRecordRules(options: RecordSchemaOptions = {}) {
  const maxBytes = options.maxFieldBytes ?? REDSHIFT_MAX_VARCHAR_BYTES;
  return $.type({
    unterminatedQuote: "false",
    extraFields: "0",
    invalidUtf8: "''",
    keyBytes: `1 <= number <= ${maxBytes}`,
    dataBytes: `1 <= number <= ${maxBytes}`,
  });
}

export type RecordRules = ReturnType<typeof createRecordRules>;

/** Result of validating one record: the clean record, or the single reason it was rejected. */
export type Validation = { ok: true; record: CleanRecord } | { ok: false; reason: string };

/** Validates one raw record through the schema; arktype's errors are data, not exceptions. */
export function validateRecord(schema: RecordSchema, raw: RawRecord): Validation {
  const out = schema(raw);
  if (out instanceof type.errors) return { ok: false, reason: out[0]?.message ?? out.summary };
  return { ok: true, record: out };
}
