/**
 * RFC 4180 as this job reads and writes it (https://www.rfc-editor.org/rfc/rfc4180): the one
 * place for its byte constants, its quote rules, when a field needs quoting and how a field is
 * written. Its quote state machine ({@link opensQuotedField}, {@link readQuoted}) drives both
 * {@link scanRecord}, which reads a record's fields (the batch transform, the header, the part
 * reader), and {@link RecordEndFinder}, which finds record ends across chunks (the record
 * splitter).
 *
 * Rules: fields separated by `,`; records end at LF or CRLF outside quotes; a field that starts
 * with `"` is quoted, `""` inside it is one quote, and it may hold commas and line breaks; a
 * quote inside an unquoted field, or text after a closing quote, is kept literally; empty lines
 * are skipped; a quote still open at the end of the input ends the record there, unterminated.
 */
import { isUtf8 } from "node:buffer";

export const QUOTE = 0x22;
export const COMMA = 0x2c;
export const LF = 0x0a;
export const CR = 0x0d;

/** The UTF-8 byte-order mark, dropped from the start of an input (and only there). */
export const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Whether `bytes` start with {@link UTF8_BOM}. */
export function startsWithBom(bytes: Buffer): boolean {
  return bytes.length >= UTF8_BOM.length && bytes.subarray(0, UTF8_BOM.length).equals(UTF8_BOM);
}

/** `bytes` without a leading {@link UTF8_BOM}. */
export function stripBom(bytes: Buffer): Buffer {
  return startsWithBom(bytes) ? bytes.subarray(3) : bytes;
}

/** Receives the fields of a record from {@link scanRecord}. */
export interface FieldSink {
  /** Field content `src[from, to)`, already unquoted (quotes around it and CR of a CRLF left out). */
  content(src: Buffer, from: number, to: number): void;
  /** One literal `"` (a `""` inside a quoted field). */
  quote(): void;
  /** The field in progress is complete. */
  endField(): void;
}

// The quote state machine. Its rules are the two functions below, and nothing else decides
// quotes: opensQuotedField (where a quoted field starts) and readQuoted (how it goes on and
// ends). Two drivers walk the bytes outside quotes and call them at each quote: scanRecord,
// which also splits fields (the batch transform, the header, the part reader), and
// RecordEndFinder, which follows quotes across chunks and only looks for line feeds (the
// record splitter). Outside quotes, a line feed ends a record in both.

/** {@link readQuoted}: the range ended inside the quoted field (the quote is still open). */
export const OPEN = -1;
/** {@link readQuoted}: the range ended right after a quote of the field, closing or the first of `""`: the next byte decides. */
export const QUOTE_AT_END = -2;

/**
 * Whether a `"` outside a quoted field opens one: only at a field's start, so `before` (the
 * byte before it; LF at the start of the input) is a comma or the line feed that ended the
 * record before. Anywhere else the quote is text.
 */
export function opensQuotedField(before: number): boolean {
  return before === COMMA || before === LF;
}

/**
 * Reads a quoted field on from `from` (past its opening quote, or where an earlier call
 * stopped, `afterQuote` when it stopped right after a quote) up to `limit`: `""` is one literal
 * quote, and the first quote not doubled closes the field; what follows the closing quote is
 * unquoted text again. Tells `sink` the content and the literal quotes. `endsInput`: `limit` is
 * the end of the input, so a quote right before it closes the field.
 * @returns where the field's quoted part ends (just past its closing quote), or {@link OPEN} or
 *   {@link QUOTE_AT_END} when `limit` came first.
 */
export function readQuoted(src: Buffer, from: number, limit: number, afterQuote: boolean, endsInput: boolean, sink: FieldSink | undefined): number {
  let i = from;
  let quoteBefore = afterQuote;
  for (;;) {
    if (quoteBefore) {
      if (i === limit) return endsInput ? limit : QUOTE_AT_END;
      if (src[i] !== QUOTE) return i;
      sink?.quote();
      i++;
    }
    let q = src.indexOf(QUOTE, i);
    if (q === -1 || q >= limit) q = limit;
    if (q > i) sink?.content(src, i, q);
    if (q === limit) return OPEN;
    i = q + 1;
    quoteBefore = true;
  }
}

/** Where {@link scanRecord} stopped. Reused between calls (no allocation per record). */
export interface RecordScan {
  /** Where the next record starts (just past the line feed), or the end of the scanned range. */
  end: number;
  /** Line feeds passed, the quoted ones and the one ending the record included. */
  lineFeeds: number;
  /** The record ended at a line feed inside the range. */
  complete: boolean;
  /** The range ended inside a quoted field. */
  unterminated: boolean;
}

/** A fresh {@link RecordScan}. */
export function recordScan(): RecordScan {
  return { end: 0, lineFeeds: 0, complete: false, unterminated: false };
}

/**
 * Reads one record of `src` from `pos` (a record start) up to `limit` (taken as the end of the
 * input), telling `sink` its fields, and leaves in `scan` where it stopped. A record that does
 * not end before `limit` reports its fields so far and `complete: false`.
 */
export function scanRecord(src: Buffer, pos: number, limit: number, sink: FieldSink | undefined, scan: RecordScan): void {
  let from = pos; // start of the field text not told to `sink` yet
  let i = pos;
  let lineFeeds = 0;
  let unterminated = false;
  for (;;) {
    let c = 0;
    while (i < limit && (c = src[i]!) !== COMMA && c !== LF && c !== QUOTE) i++;
    if (i === limit) break;
    if (c === COMMA) {
      if (i > from) sink?.content(src, from, i);
      sink?.endField();
      from = ++i;
    } else if (c === LF) {
      // The record ends; a CR before the line feed belongs to the line end.
      const to = i > from && src[i - 1] === CR ? i - 1 : i;
      if (to > from) sink?.content(src, from, to);
      sink?.endField();
      scan.end = i + 1;
      scan.lineFeeds = lineFeeds + 1;
      scan.complete = true;
      scan.unterminated = false;
      return;
    } else if (opensQuotedField(i === pos ? LF : src[i - 1]!)) {
      if (i > from) sink?.content(src, from, i);
      const end = readQuoted(src, i + 1, limit, false, true, sink);
      unterminated = end === OPEN;
      const to = unterminated ? limit : end;
      for (let k = src.indexOf(LF, i + 1); k !== -1 && k < to; k = src.indexOf(LF, k + 1)) lineFeeds++;
      i = from = to;
    } else {
      i++;
    }
  }
  if (i > from) sink?.content(src, from, i);
  sink?.endField();
  scan.end = i;
  scan.lineFeeds = lineFeeds;
  scan.complete = false;
  scan.unterminated = unterminated;
}

/** Length of the blank line (LF or CRLF) at `pos`, or 0. Blank lines are not records. */
export function blankLineAt(src: Buffer, pos: number): number {
  const b = src[pos];
  if (b === LF) return 1;
  if (b === CR && src[pos + 1] === LF) return 2;
  return 0;
}

/**
 * Finds record ends in a stream of chunks, for the record splitter: the quote state machine
 * ({@link opensQuotedField}, {@link readQuoted}) carried across chunks, with quotes and line
 * feeds found by `indexOf` and no fields. Between a quoted field's end and the next quote that
 * opens one, every line feed ends a record.
 */
export class RecordEndFinder {
  /** Where the last chunk left the state machine: outside quotes (0), {@link OPEN} or {@link QUOTE_AT_END}. */
  private quoted = 0;
  /** The last byte passed: a line feed before the input (the first byte starts a field). */
  private previous = LF;

  /**
   * Passes `chunk[from, chunk.length)`; calls `onRecordEnd(lf)` for each record-ending line feed
   * at or after `wantFrom()` (asked again after each call), none before.
   */
  pass(chunk: Buffer, from: number, wantFrom: () => number, onRecordEnd: (lf: number) => void): void {
    const n = chunk.length;
    if (from >= n) return;
    let i = from;
    if (this.quoted !== 0) {
      const end = readQuoted(chunk, i, n, this.quoted === QUOTE_AT_END, false, undefined);
      this.quoted = end < 0 ? end : 0;
      i = end < 0 ? n : end;
    }
    while (i < n) {
      const q = chunk.indexOf(QUOTE, i);
      // Every line feed before the next quote ends a record.
      const stop = q === -1 ? n : q;
      for (let at = i; ; ) {
        at = Math.max(at, wantFrom());
        if (at >= stop) break;
        const lf = chunk.indexOf(LF, at);
        if (lf === -1 || lf >= stop) break;
        onRecordEnd(lf);
        at = lf + 1;
      }
      if (q === -1) break;
      if (!opensQuotedField(q > from ? chunk[q - 1]! : this.previous)) {
        i = q + 1;
        continue;
      }
      const end = readQuoted(chunk, q + 1, n, false, false, undefined);
      if (end < 0) {
        this.quoted = end;
        break;
      }
      i = end;
    }
    this.previous = chunk[n - 1]!;
  }
}

/** Text that must be quoted in a CSV field. */
const NEEDS_QUOTING = /[",\r\n]/;

/** Whether a field holding `text` must be quoted: it holds a quote, comma, CR or LF. */
export function needsQuoting(text: string): boolean {
  return NEEDS_QUOTING.test(text);
}

/** Whether the field `bytes[from, to)` must be quoted (see {@link needsQuoting}). */
export function needsQuotingBytes(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = bytes[i]!;
    if (b === QUOTE || b === COMMA || b === CR || b === LF) return true;
  }
  return false;
}

/** One field, quoted only when it must be ({@link needsQuoting}), `"` doubled inside. */
export function formatField(value: string): string {
  return needsQuoting(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One CSV line (with its `\n`). */
export function formatRow(values: readonly string[]): string {
  let line = "";
  for (let i = 0; i < values.length; i++) line += (i === 0 ? "" : ",") + formatField(values[i]!);
  return line + "\n";
}

/**
 * Writes the field `src[from, to)` to `out` at `at` as {@link formatField} would; returns where
 * it ends. `out` needs room for twice the field plus 2.
 */
export function writeField(src: Uint8Array, from: number, to: number, out: Uint8Array, at: number): number {
  if (!needsQuotingBytes(src, from, to)) {
    out.set(src.subarray(from, to), at);
    return at + to - from;
  }
  let o = at;
  out[o++] = QUOTE;
  for (let i = from; i < to; i++) {
    const b = src[i]!;
    out[o++] = b;
    if (b === QUOTE) out[o++] = QUOTE;
  }
  out[o++] = QUOTE;
  return o;
}

/** Collects a record's fields as text (UTF-8), noting which were not valid UTF-8. */
class TextFields implements FieldSink {
  fields: string[] = [];
  invalid: boolean[] = [];
  private parts: Buffer[] = [];

  content(src: Buffer, from: number, to: number): void {
    this.parts.push(src.subarray(from, to));
  }

  quote(): void {
    this.parts.push(QUOTE_BYTE);
  }

  endField(): void {
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    this.fields.push(bytes.toString("utf8"));
    this.invalid.push(!isUtf8(bytes));
  }
}

const QUOTE_BYTE = Buffer.from([QUOTE]);

/** A record read as text. */
export interface TextRecord {
  fields: string[];
  /** Per field: its bytes were not valid UTF-8 (the text holds U+FFFD in their place). */
  invalid: boolean[];
  /** Line where the record starts (1-based, counted from the first line of the bytes given). */
  line: number;
  unterminated: boolean;
}

/**
 * The records of `bytes` (whole records, unless `final`) as text, blank lines skipped, for
 * the reads that are not on the hot path: the header, and clean parts read back.
 * `firstLine` is the line of `bytes[0]`; returns the line after the last byte too.
 */
export function textRecords(bytes: Buffer, final: boolean, firstLine = 1): { records: TextRecord[]; nextLine: number } {
  const records: TextRecord[] = [];
  const scan = recordScan();
  let line = firstLine;
  let pos = 0;
  while (pos < bytes.length) {
    const blank = blankLineAt(bytes, pos);
    if (blank > 0) {
      pos += blank;
      line++;
      continue;
    }
    // A last line without a line feed or quotes loses a trailing CR, as a line ended by CRLF does.
    let limit = bytes.length;
    if (final && bytes[limit - 1] === CR && bytes.indexOf(LF, pos) === -1 && bytes.indexOf(QUOTE, pos) === -1) limit--;
    if (limit === pos) break;
    const sink = new TextFields();
    scanRecord(bytes, pos, limit, sink, scan);
    if (!scan.complete && !final) throw new Error("bytes that are not the input's last must end with a whole record");
    records.push({ fields: sink.fields, invalid: sink.invalid, line, unterminated: scan.unterminated });
    line += scan.lineFeeds;
    pos = scan.end;
  }
  return { records, nextLine: line };
}
