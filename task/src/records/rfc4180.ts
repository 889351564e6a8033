/**
 * RFC 4180 as this job reads and writes it (https://www.rfc-editor.org/rfc/rfc4180): the one
 * place for its byte constants, its quote rules, when a field needs quoting and how a field is
 * written. The record splitter, the batch transform, the header and the part reader all read
 * records through {@link scanRecord} (the splitter, which only follows quotes across chunk
 * boundaries, through {@link QuoteTracker}, the same rules without fields).
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
 * The quote state machine: reads one record of `src` from `pos` (a record start) up to `limit`,
 * telling `sink` its fields, and leaves in `scan` where it stopped. A record that does not end
 * before `limit` reports its fields so far and `complete: false`.
 */
export function scanRecord(src: Buffer, pos: number, limit: number, sink: FieldSink | undefined, scan: RecordScan): void {
  let inQuote = false;
  let atFieldStart = true;
  let lineFeeds = 0;
  let i = pos;
  while (i < limit) {
    if (inQuote) {
      let q = src.indexOf(QUOTE, i);
      if (q === -1 || q >= limit) q = limit;
      for (let k = src.indexOf(LF, i); k !== -1 && k < q; k = src.indexOf(LF, k + 1)) lineFeeds++;
      if (q > i) sink?.content(src, i, q);
      if (q === limit) {
        i = limit;
        break;
      }
      if (q + 1 < limit && src[q + 1] === QUOTE) {
        sink?.quote();
        i = q + 2;
      } else {
        inQuote = false;
        i = q + 1;
      }
      continue;
    }
    if (atFieldStart && src[i] === QUOTE) {
      inQuote = true;
      atFieldStart = false;
      i++;
      continue;
    }
    // Unquoted text (or text after a closing quote) up to the next comma or line feed.
    let j = i;
    let c = 0;
    while (j < limit && (c = src[j]!) !== COMMA && c !== LF) j++;
    if (j === limit) {
      if (j > i) sink?.content(src, i, j);
      atFieldStart = false;
      i = limit;
      break;
    }
    if (c === COMMA) {
      if (j > i) sink?.content(src, i, j);
      sink?.endField();
      atFieldStart = true;
      i = j + 1;
      continue;
    }
    // Line feed: the record ends; a CR before it belongs to the line end.
    const to = j > i && src[j - 1] === CR ? j - 1 : j;
    if (to > i) sink?.content(src, i, to);
    sink?.endField();
    scan.end = j + 1;
    scan.lineFeeds = lineFeeds + 1;
    scan.complete = true;
    scan.unterminated = false;
    return;
  }
  sink?.endField();
  scan.end = i;
  scan.lineFeeds = lineFeeds;
  scan.complete = false;
  scan.unterminated = inQuote;
}

/** Length of the blank line (LF or CRLF) at `pos`, or 0. Blank lines are not records. */
export function blankLineAt(src: Buffer, pos: number): number {
  const b = src[pos];
  if (b === LF) return 1;
  if (b === CR && src[pos + 1] === LF) return 2;
  return 0;
}

/**
 * The quote rules of {@link scanRecord} across a stream of chunks, for the record splitter:
 * follows quotes only (found with `indexOf`), and reports the record ends it is asked for.
 * Between a closing quote and the next opening one, every line feed ends a record.
 */
export class QuoteTracker {
  private inQuote = false;
  /** The last byte passed was a quote inside a quoted field: escaped or closing, the next byte says. */
  private quotePending = false;
  /** The byte before the next one: a line feed at the start of the input (a field start). */
  private previous = LF;

  /**
   * Passes `chunk[from, chunk.length)`; calls `onRecordEnd(lf)` for each record-ending line feed
   * at or after `wantFrom()` (asked again after each call), none before.
   */
  pass(chunk: Buffer, from: number, wantFrom: () => number, onRecordEnd: (lf: number) => void): void {
    const n = chunk.length;
    let i = from;
    if (this.quotePending && i < n) {
      this.quotePending = false;
      if (chunk[i] === QUOTE) {
        i++;
      } else {
        this.inQuote = false;
        this.previous = QUOTE;
      }
    }
    while (i < n) {
      const q = chunk.indexOf(QUOTE, i);
      if (this.inQuote) {
        if (q === -1) break;
        if (q + 1 === n) {
          this.quotePending = true;
          break;
        }
        if (chunk[q + 1] === QUOTE) {
          i = q + 2;
        } else {
          this.inQuote = false;
          this.previous = QUOTE;
          i = q + 1;
        }
        continue;
      }
      // Every line feed before the next quote ends a record.
      const stop = q === -1 ? n : q;
      for (;;) {
        const at = Math.max(i, wantFrom());
        if (at >= stop) break;
        const lf = chunk.indexOf(LF, at);
        if (lf === -1 || lf >= stop) break;
        onRecordEnd(lf);
      }
      if (q === -1) break;
      // A quote opens a quoted field only at a field's start.
      const before = q > i ? chunk[q - 1]! : this.previous;
      if (before === COMMA || before === LF) this.inQuote = true;
      this.previous = QUOTE;
      i = q + 1;
    }
    if (n > from) this.previous = chunk[n - 1]!;
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
