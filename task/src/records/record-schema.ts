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

/** Options of {@link createRecordSchema}. */
export interface RecordSchemaOptions {
  /** Largest accepted field after normalisation, in UTF-8 bytes. Default 65535. */
  maxFieldBytes?: number;
}

/**
 * What the rules judge of a record: what the reader noticed, and each field's normalised UTF-8
 * length in place of its value. The engine measures them while it normalises in bytes; the
 * record schema computes them from the raw values.
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

/** One record rule: a condition that rejects a record, with its reason. */
export interface RecordRule {
  /** The reason a record that breaks it is rejected with. */
  reason: (maxBytes: number) => string;
  /** Whether `facts` break it. */
  breaks: (facts: RecordFacts, maxBytes: number) => boolean;
  /**
   * What it asks of a clean record's facts, as an arktype definition; `undefined` for a rule
   * the rules after it imply (a record that breaks it breaks them too).
   */
  allows: ((maxBytes: number) => Partial<Record<keyof RecordFacts, string>>) | undefined;
}

/**
 * THE record rules, in the order they are judged: a rejected record carries the reason of the
 * first one it breaks, so exactly one. The record schema's morph, the engine's rules type
 * ({@link createRecordRules}) and its reasons ({@link rejectionReason}) are all derived from
 * this table: a new rule is one entry here (and a test proves the three agree).
 */
export const RECORD_RULES: readonly RecordRule[] = [
  { reason: () => reasons.unterminatedQuote, breaks: (f) => f.unterminatedQuote, allows: () => ({ unterminatedQuote: "false" }) },
  { reason: () => reasons.tooManyFields, breaks: (f) => f.extraFields > 0, allows: () => ({ extraFields: "0" }) },
  { reason: () => reasons.invalidUtf8("Key"), breaks: (f) => f.invalidUtf8 === "Key", allows: () => ({ invalidUtf8: "''" }) },
  { reason: () => reasons.invalidUtf8("Data"), breaks: (f) => f.invalidUtf8 === "Data", allows: () => ({ invalidUtf8: "''" }) },
  { reason: () => reasons.empty, breaks: (f) => f.keyBytes === 0 && f.dataBytes === 0, allows: undefined },
  { reason: () => reasons.required("Key"), breaks: (f) => f.keyBytes === 0, allows: () => ({ keyBytes: "number >= 1" }) },
  { reason: () => reasons.required("Data"), breaks: (f) => f.dataBytes === 0, allows: () => ({ dataBytes: "number >= 1" }) },
  { reason: (max) => reasons.tooLong("Key", max), breaks: (f, max) => f.keyBytes > max, allows: (max) => ({ keyBytes: `number <= ${max}` }) },
  { reason: (max) => reasons.tooLong("Data", max), breaks: (f, max) => f.dataBytes > max, allows: (max) => ({ dataBytes: `number <= ${max}` }) },
];

/** Index in {@link RECORD_RULES} of the first rule `facts` break, or -1 for a clean record. */
export function firstBrokenRule(facts: RecordFacts, maxBytes: number): number {
  for (let i = 0; i < RECORD_RULES.length; i++) if (RECORD_RULES[i]!.breaks(facts, maxBytes)) return i;
  return -1;
}

/** The reason a record with these facts is rejected, or `undefined` when it is clean. */
export function rejectionReason(facts: RecordFacts, maxBytes: number): string | undefined {
  const rule = firstBrokenRule(facts, maxBytes);
  return rule === -1 ? undefined : RECORD_RULES[rule]!.reason(maxBytes);
}

/**
 * UTF-8 length of `s` where the rules can tell it apart: exact when it could pass `maxBytes`,
 * else the UTF-16 length (at most the UTF-8 length, and with at most 3 bytes per unit, within
 * the limit all the same), which spares encoding every value.
 */
function ruleBytes(s: string, maxBytes: number): number {
  return s.length * 3 > maxBytes ? Buffer.byteLength(s, "utf8") : s.length;
}

/**
 * The record schema: the one validator of every row, by reason. The input's shape is checked by
 * arktype; one morph then trims and lowercases both fields and applies {@link RECORD_RULES}, so
 * each rejected record carries exactly one reason.
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
    const key = normalise(raw.key);
    const data = normalise(raw.data);
    const reason = rejectionReason(
      {
        unterminatedQuote: raw.unterminatedQuote,
        extraFields: raw.extraFields,
        invalidUtf8: raw.invalidUtf8 === "Key" || raw.invalidUtf8 === "Data" ? raw.invalidUtf8 : "",
        keyBytes: ruleBytes(key, maxBytes),
        dataBytes: ruleBytes(data, maxBytes),
      },
      maxBytes,
    );
    return reason === undefined ? { key, data } : ctx.error({ message: reason });
  });
}

export type RecordSchema = ReturnType<typeof createRecordSchema>;

/**
 * {@link RECORD_RULES} as a plain arktype type over {@link RecordFacts}: a record is clean
 * exactly when its facts are allowed. It has no morph, so arktype checks it with compiled code
 * (`allows`, about 10 ns) instead of a traversal (about 1 µs per row for the morph schema in
 * arktype 2.2, most of it in bookkeeping around the morph): the engine runs it on every row,
 * and {@link rejectionReason} on the rows it refuses.
 */
export function createRecordRules(options: RecordSchemaOptions = {}) {
  const maxBytes = options.maxFieldBytes ?? REDSHIFT_MAX_VARCHAR_BYTES;
  const shape = $.type({ unterminatedQuote: "boolean", extraFields: "number", invalidUtf8: "string", keyBytes: "number", dataBytes: "number" });
  let rules = shape;
  for (const rule of RECORD_RULES) if (rule.allows) rules = rules.and($.type(rule.allows(maxBytes) as never)) as unknown as typeof shape;
  return rules;
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
