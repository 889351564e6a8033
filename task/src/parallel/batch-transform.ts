import { isUtf8 } from "node:buffer";
import { formatField } from "../csv/csv-format.ts";
import { decodeLatin1Utf8 } from "../csv/csv-byte-reader.ts";
import { CsvTokenizer, isFieldInvalid } from "../csv/csv-tokenizer.ts";
import type { ColumnLayout } from "../csv/header.ts";
import { FieldNormaliser, pairHash } from "../record/byte-normaliser.ts";
import {
  createRecordRules,
  createRecordSchema,
  validateRecord,
  type FieldName,
  type RawRecord,
  type RecordFacts,
  type RecordRules,
  type RecordSchema,
} from "../record/record-schema.ts";

/**
 * What one batch of records turned into. Clean lines are candidates: dedup, which must see
 * every batch in input order, decides which of them are kept.
 */
export interface BatchResult {
  /** Clean candidate lines (`key,data\n`, normalised and CSV-quoted), back to back. */
  clean: Buffer;
  /** Where each clean line ends in {@link clean}. */
  cleanEnds: Uint32Array;
  /** A 32-bit hash of each clean line's normalised pair. */
  hashes: Int32Array;
  /** Rejected rows as `key,data,reason\n` (raw values), each to be prefixed by its line. */
  rejected: string[];
  /** Line of each rejected row, counted from the batch's first line (0). */
  rejectedLines: Uint32Array;
  rejectedByReason: Record<string, number>;
  rowsRead: number;
  /** Line feeds in the batch: how far the next batch's first line is from this one's. */
  lineFeeds: number;
}

/** Memory to build a result in (see {@link BatchTransformer.useMemory}). */
export interface ResultMemory {
  clean: Buffer;
  cleanEnds: Uint32Array;
  hashes: Int32Array;
}

/** Options of {@link BatchTransformer}. */
export interface BatchTransformOptions {
  /** Largest accepted field after normalisation, in UTF-8 bytes. */
  maxFieldBytes: number;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
/** Field positions kept per record, at least; fields past the header's only count as extra. */
const MIN_TRACKED_FIELDS = 64;

/**
 * The record pipeline of the parallel path for one batch: the tokenizer's rules, the record
 * schema's normalisation and rules, in bytes. A batch is whole records (the splitter cuts at
 * record ends); only the last batch of an input may end inside a record, and says so.
 *
 * Every row is judged by arktype: the record rules type ({@link createRecordRules}) on the
 * facts measured while normalising, and for the rows it refuses, the record schema on the raw
 * values, which names the reason. Batches that are not valid UTF-8 go through the string
 * tokenizer and the record schema row by row, as the simple path does.
 */
export class BatchTransformer {
  private readonly schema: RecordSchema;
  private readonly rules: RecordRules;
  private readonly normaliser = new FieldNormaliser();
  private readonly facts: RecordFacts = { unterminatedQuote: false, extraFields: 0, invalidUtf8: "", keyBytes: 0, dataBytes: 0 };
  // Field positions of the current record, in `src` or in `scratch` for records with quotes.
  private starts = new Int32Array(MIN_TRACKED_FIELDS);
  private ends = new Int32Array(MIN_TRACKED_FIELDS);
  private scratch = Buffer.allocUnsafeSlow(1 << 16);
  private quoteTmp = Buffer.allocUnsafeSlow(1 << 16);

  // Output of the batch in progress.
  private out: Buffer = Buffer.alloc(0);
  private o = 0;
  private cleanEnds: Uint32Array = new Uint32Array(0);
  private hashes: Int32Array = new Int32Array(0);
  private nClean = 0;
  private rejected: string[] = [];
  private rejectedLines: number[] = [];
  private rejectedByReason: Record<string, number> = {};
  private rowsRead = 0;

  private readonly maxFieldBytes: number;
  private readonly reasonByKind = new Map<number, string>();

  constructor(options: BatchTransformOptions) {
    this.schema = createRecordSchema(options);
    this.rules = createRecordRules(options);
    this.maxFieldBytes = options.maxFieldBytes;
  }

  private memory: ResultMemory | undefined;

  /**
   * Builds the next result in this memory (a shared slot) as far as it fits; what does not
   * fit goes to memory of the result's own.
   */
  useMemory(memory: ResultMemory): void {
    this.memory = memory;
  }

  /** Transforms `bytes`, which hold whole records unless `final`. */
  transform(bytes: Buffer, layout: ColumnLayout, final: boolean): BatchResult {
    this.begin(bytes.length);
    if (this.starts.length <= layout.width) {
      this.starts = new Int32Array(layout.width + 1);
      this.ends = new Int32Array(layout.width + 1);
    }
    const lineFeeds = isUtf8(bytes) ? this.scanUtf8(bytes, layout, final) : this.scanViaTokenizer(bytes, layout, final);
    return this.finish(lineFeeds);
  }

  private begin(inputBytes: number): void {
    const memory = this.memory;
    this.memory = undefined;
    this.out = memory?.clean ?? Buffer.allocUnsafeSlow(inputBytes + (inputBytes >> 3) + 1024);
    this.o = 0;
    const rowsGuess = Math.max(64, inputBytes >> 5);
    this.cleanEnds = memory?.cleanEnds ?? new Uint32Array(rowsGuess);
    this.hashes = memory?.hashes ?? new Int32Array(rowsGuess);
    this.nClean = 0;
    this.rejected = [];
    this.rejectedLines = [];
    this.rejectedByReason = {};
    this.rowsRead = 0;
  }

  private finish(lineFeeds: number): BatchResult {
    return {
      clean: this.out.subarray(0, this.o),
      cleanEnds: this.cleanEnds.subarray(0, this.nClean),
      hashes: this.hashes.subarray(0, this.nClean),
      rejected: this.rejected,
      rejectedLines: Uint32Array.from(this.rejectedLines),
      rejectedByReason: this.rejectedByReason,
      rowsRead: this.rowsRead,
      lineFeeds,
    };
  }

  /** The byte path, for batches that are valid UTF-8. Returns the line feeds seen. */
  private scanUtf8(src: Buffer, layout: ColumnLayout, final: boolean): number {
    const n = src.length;
    const starts = this.starts;
    const ends = this.ends;
    const tracked = starts.length;
    let line = 0;
    let pos = 0;
    let nextQuote = src.indexOf(QUOTE, 0);
    if (nextQuote === -1) nextQuote = n;
    let nextComma = -1;
    let nextCr = -1;
    while (pos < n) {
      let nl = src.indexOf(LF, pos);
      if (nl === -1) {
        if (!final) throw new Error("a batch that is not the last one must end with a line feed");
        nl = n;
      }
      if (nextQuote < pos) {
        nextQuote = src.indexOf(QUOTE, pos);
        if (nextQuote === -1) nextQuote = n;
      }
      if (nextQuote < nl) {
        const recordLine = line;
        const next = this.parseQuotedRecord(src, pos, final);
        line += this.quotedLineFeeds;
        this.record(this.scratch, this.fieldCount, layout, recordLine, this.unterminated, true);
        pos = next;
        continue;
      }
      let end = nl;
      if (end > pos && src[end - 1] === CR) end--;
      if (end > pos) {
        // A CR inside the line (not the one ending it) is data that must be quoted on output.
        if (nextCr < pos) {
          nextCr = src.indexOf(CR, pos);
          if (nextCr === -1) nextCr = n;
        }
        // Fields: the comma search goes on from the last comma found, so each is found once.
        let count = 0;
        let fieldStart = pos;
        for (;;) {
          if (nextComma < fieldStart) {
            nextComma = src.indexOf(COMMA, fieldStart);
            if (nextComma === -1) nextComma = n;
          }
          const fieldEnd = nextComma < end ? nextComma : end;
          if (count < tracked) {
            starts[count] = fieldStart;
            ends[count] = fieldEnd;
          }
          count++;
          if (fieldEnd === end) break;
          fieldStart = fieldEnd + 1;
        }
        this.record(src, count, layout, line, false, nextCr < end);
      }
      if (nl < n) line++;
      pos = nl + 1;
    }
    return line;
  }

  // Results of parseQuotedRecord.
  private fieldCount = 0;
  private quotedLineFeeds = 0;
  private unterminated = false;

  /**
   * Reads one record that holds a quote, from `pos`, into `scratch` (fields unquoted and
   * unescaped), mirroring {@link CsvTokenizer}. Returns where the next record starts.
   */
  private parseQuotedRecord(src: Buffer, pos: number, final: boolean): number {
    const n = src.length;
    this.w = 0;
    this.count = 0;
    this.fieldStart = 0;
    let inQuote = false;
    let atFieldStart = true;
    let lineFeeds = 0;
    let i = pos;
    for (;;) {
      if (i >= n) {
        if (!final) throw new Error("a batch that is not the last one must end with a whole record");
        this.endField();
        this.unterminated = inQuote;
        break;
      }
      if (inQuote) {
        let q = src.indexOf(QUOTE, i);
        if (q === -1) q = n;
        for (let k = src.indexOf(LF, i); k !== -1 && k < q; k = src.indexOf(LF, k + 1)) lineFeeds++;
        this.copyToScratch(src, i, q);
        if (q === n) {
          i = n;
          continue;
        }
        if (q + 1 < n && src[q + 1] === QUOTE) {
          this.ensureScratch(this.w + 1);
          this.scratch[this.w++] = QUOTE;
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
      let j = i;
      let c = 0;
      while (j < n && (c = src[j]!) !== COMMA && c !== LF) j++;
      if (j === n) {
        this.copyToScratch(src, i, j);
        atFieldStart = false;
        i = n;
        continue;
      }
      if (c === COMMA) {
        this.copyToScratch(src, i, j);
        this.endField();
        atFieldStart = true;
        i = j + 1;
        continue;
      }
      // Line feed: the record ends; a CR before it belongs to the line end.
      this.copyToScratch(src, i, j > i && src[j - 1] === CR ? j - 1 : j);
      this.endField();
      lineFeeds++;
      this.unterminated = false;
      i = j + 1;
      break;
    }
    this.fieldCount = this.count;
    this.quotedLineFeeds = lineFeeds;
    return i;
  }

  // State of parseQuotedRecord: write position in scratch, fields so far, start of the current one.
  private w = 0;
  private count = 0;
  private fieldStart = 0;

  private endField(): void {
    if (this.count < this.starts.length) {
      this.starts[this.count] = this.fieldStart;
      this.ends[this.count] = this.w;
    }
    this.count++;
    this.fieldStart = this.w;
  }

  private copyToScratch(src: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.ensureScratch(this.w + (to - from));
    src.copy(this.scratch, this.w, from, to);
    this.w += to - from;
  }

  private ensureScratch(size: number): void {
    if (size <= this.scratch.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(size, this.scratch.length * 2));
    this.scratch.copy(bigger);
    this.scratch = bigger;
  }

  /**
   * One record whose fields are at `starts`/`ends` in `src`: normalise, judge, emit.
   * `mayNeedQuotes` false promises the fields hold no `"`, `,`, CR or LF.
   */
  private record(src: Buffer, count: number, layout: ColumnLayout, line: number, unterminated: boolean, mayNeedQuotes: boolean): void {
    this.rowsRead++;
    const { keyIndex, dataIndex } = layout;
    const hasKey = keyIndex < count;
    const hasData = dataIndex < count;
    const ks = hasKey ? this.starts[keyIndex]! : 0;
    const ke = hasKey ? this.ends[keyIndex]! : 0;
    const ds = hasData ? this.starts[dataIndex]! : 0;
    const de = hasData ? this.ends[dataIndex]! : 0;
    // Room for the worst case: lowercasing grows UTF-8 by half, quoting doubles quotes.
    this.ensureOut(2 * (ke - ks + de - ds) + 16);
    const out = this.out;
    const normaliser = this.normaliser;
    const lineStart = this.o;
    const keyEnd = hasKey ? normaliser.normalise(src, ks, ke, out, lineStart, mayNeedQuotes) : lineStart;
    const keyHash = normaliser.hash;
    const keyQuotes = hasKey && normaliser.needsQuotes;
    const dataStart = keyEnd + 1;
    const dataEnd = hasData ? normaliser.normalise(src, ds, de, out, dataStart, mayNeedQuotes) : dataStart;
    const facts = this.facts;
    facts.unterminatedQuote = unterminated;
    facts.extraFields = count > layout.width ? count - layout.width : 0;
    facts.keyBytes = keyEnd - lineStart;
    facts.dataBytes = dataEnd - dataStart;
    if (!this.rules.allows(facts)) {
      this.reject(src, hasKey ? ks : -1, ke, hasData ? ds : -1, de, line, facts);
      return;
    }
    this.emitLine(lineStart, keyEnd, keyHash, keyQuotes, dataStart, dataEnd);
  }

  /** Ends the line of a clean record whose key and data were written at `out[lineStart, keyEnd)`, `out[dataStart, dataEnd)`. */
  private emitLine(lineStart: number, keyEnd: number, keyHash: number, keyQuotes: boolean, dataStart: number, dataEnd: number): void {
    const normaliser = this.normaliser;
    let end: number;
    if (keyQuotes || normaliser.needsQuotes) {
      end = this.requote(lineStart, keyEnd, dataStart, dataEnd);
    } else {
      this.out[keyEnd] = COMMA;
      this.out[dataEnd] = LF;
      end = dataEnd + 1;
    }
    this.emitClean(end, pairHash(keyHash, normaliser.hash));
  }

  /** Rewrites `key` and `data` (at `out[ks, ke)`, `out[ds, de)`) as RFC 4180 quoted fields. */
  private requote(ks: number, ke: number, ds: number, de: number): number {
    const len = de - ks;
    if (this.quoteTmp.length < len) this.quoteTmp = Buffer.allocUnsafeSlow(len * 2);
    const tmp = this.quoteTmp;
    this.out.copy(tmp, 0, ks, de);
    let o = ks;
    o = this.writeField(tmp, 0, ke - ks, o);
    this.out[o++] = COMMA;
    o = this.writeField(tmp, ds - ks, de - ks, o);
    this.out[o++] = LF;
    return o;
  }

  private writeField(src: Buffer, s: number, e: number, at: number): number {
    const out = this.out;
    let quote = false;
    for (let i = s; i < e; i++) {
      const b = src[i]!;
      if (b === QUOTE || b === COMMA || b === CR || b === LF) {
        quote = true;
        break;
      }
    }
    if (!quote) {
      src.copy(out, at, s, e);
      return at + e - s;
    }
    let o = at;
    out[o++] = QUOTE;
    for (let i = s; i < e; i++) {
      const b = src[i]!;
      out[o++] = b;
      if (b === QUOTE) out[o++] = QUOTE;
    }
    out[o++] = QUOTE;
    return o;
  }

  private emitClean(end: number, hash: number): void {
    if (this.nClean === this.cleanEnds.length) {
      const ends = new Uint32Array(this.cleanEnds.length * 2);
      ends.set(this.cleanEnds);
      this.cleanEnds = ends;
      const hashes = new Int32Array(this.hashes.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.cleanEnds[this.nClean] = end;
    this.hashes[this.nClean] = hash;
    this.nClean++;
    this.o = end;
  }

  private ensureOut(extra: number): void {
    if (this.o + extra <= this.out.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.o + extra, this.out.length * 2));
    this.out.copy(bigger, 0, 0, this.o);
    this.out = bigger;
  }

  /**
   * A rejected row: its reason is the record schema's. The schema's verdict depends only on
   * the facts (its rules are the rules type's, a test holds them equal), so the reason is
   * memoised per kind of facts: arktype's error path costs ~10 µs a row, more than the rest
   * of a row's work several times over. The invalid-UTF-8 path always asks the schema.
   */
  private reject(src: Buffer, ks: number, ke: number, ds: number, de: number, line: number, facts: RecordFacts): void {
    const raw: RawRecord = {
      key: ks < 0 ? undefined : src.toString("utf8", ks, ke),
      data: ds < 0 ? undefined : src.toString("utf8", ds, de),
      extraFields: facts.extraFields,
      invalidUtf8: facts.invalidUtf8,
      unterminatedQuote: facts.unterminatedQuote,
    };
    const kind = factsKind(facts, this.maxFieldBytes);
    let reason = this.reasonByKind.get(kind);
    if (reason === undefined) {
      reason = this.reasonOf(raw);
      this.reasonByKind.set(kind, reason);
    }
    this.addRejected(raw, line, reason);
  }

  private reasonOf(raw: RawRecord): string {
    const result = validateRecord(this.schema, raw);
    if (result.ok) throw new Error(`the record rules refused a record the record schema accepts: ${JSON.stringify(raw)}`);
    return result.reason;
  }

  private rejectRaw(raw: RawRecord, line: number): void {
    this.addRejected(raw, line, this.reasonOf(raw));
  }

  private addRejected(raw: RawRecord, line: number, reason: string): void {
    this.rejectedByReason[reason] = (this.rejectedByReason[reason] ?? 0) + 1;
    this.rejected.push(`${formatField(raw.key ?? "")},${formatField(raw.data ?? "")},${formatField(reason)}\n`);
    this.rejectedLines.push(line);
  }

  /**
   * The string path, for batches holding bytes that are not valid UTF-8: the simple path's
   * tokenizer (latin1 text, each field checked and decoded) and record schema, row by row.
   */
  private scanViaTokenizer(src: Buffer, layout: ColumnLayout, final: boolean): number {
    let lineFeeds = 0;
    const tokenizer = new CsvTokenizer((fields, line, unterminated, invalidMask) => {
      this.rowsRead++;
      const raw: RawRecord = {
        key: fields[layout.keyIndex],
        data: fields[layout.dataIndex],
        extraFields: fields.length > layout.width ? fields.length - layout.width : 0,
        invalidUtf8: invalidField(invalidMask, layout),
        unterminatedQuote: unterminated,
      };
      const result = validateRecord(this.schema, raw);
      if (!result.ok) {
        this.rejectRaw(raw, line - 1);
        return;
      }
      const { key, data } = result.record;
      this.ensureOut(6 * (key.length + data.length) + 16);
      const normaliser = this.normaliser;
      const lineStart = this.o;
      const keyEnd = normaliser.writeNormalised(key, this.out, lineStart);
      const keyHash = normaliser.hash;
      const keyQuotes = normaliser.needsQuotes;
      const dataEnd = normaliser.writeNormalised(data, this.out, keyEnd + 1);
      this.emitLine(lineStart, keyEnd, keyHash, keyQuotes, keyEnd + 1, dataEnd);
    });
    for (let i = src.indexOf(LF); i !== -1; i = src.indexOf(LF, i + 1)) lineFeeds++;
    tokenizer.push(src.toString("latin1"), decodeLatin1Utf8, final);
    if (!final && tokenizer.hasOpenRecord()) throw new Error("a batch that is not the last one must end with a whole record");
    return lineFeeds;
  }
}

/** Which of the conditions the rules judge hold for `facts`, as bits. */
function factsKind(facts: RecordFacts, maxBytes: number): number {
  return (
    (facts.unterminatedQuote ? 1 : 0) |
    (facts.extraFields > 0 ? 2 : 0) |
    (facts.invalidUtf8 === "Key" ? 4 : facts.invalidUtf8 === "Data" ? 8 : 0) |
    (facts.keyBytes === 0 ? 16 : facts.keyBytes > maxBytes ? 32 : 0) |
    (facts.dataBytes === 0 ? 64 : facts.dataBytes > maxBytes ? 128 : 0)
  );
}

/** The record processor's reading of an invalid-UTF-8 mask: Key first, then Data. */
function invalidField(mask: number, layout: ColumnLayout): "" | FieldName {
  if (mask === 0) return "";
  if (isFieldInvalid(mask, layout.keyIndex)) return "Key";
  if (isFieldInvalid(mask, layout.dataIndex)) return "Data";
  return "";
}
