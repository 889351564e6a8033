import { isUtf8 } from "node:buffer";
import type { ColumnLayout } from "../records/header.ts";
import { COMMA, CR, formatField, LF, QUOTE, recordScan, scanRecord, writeField, type FieldSink } from "../records/rfc4180.ts";
import { FieldNormaliser, pairHash } from "../records/byte-normaliser.ts";
import { createRecordRules, rejectionReason, type RecordFacts, type RecordRules } from "../records/record-schema.ts";

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

/** Field positions kept per record, at least; fields past the header's only count as extra. */
const MIN_TRACKED_FIELDS = 64;

/**
 * The record pipeline for one batch: the RFC 4180 rules (rfc4180.ts), the record schema's
 * normalisation and rules, in bytes. A batch is whole records (the splitter cuts at record
 * ends); only the last batch of an input may end inside a record, and says so.
 *
 * Every row is judged by arktype: the record rules type ({@link createRecordRules}) on the
 * facts measured while normalising; for the rows it refuses, {@link rejectionReason} names the
 * reason from the same rule table (record-schema.ts). In a batch that is not all valid UTF-8,
 * the Key and Data of each row are checked (a row with invalid bytes there is rejected, its
 * neighbours are not).
 */
export class BatchTransformer {
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

  constructor(options: BatchTransformOptions) {
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
    this.checkUtf8 = !isUtf8(bytes);
    this.facts.invalidUtf8 = "";
    return this.finish(this.scan(bytes, layout, final));
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

  /** Whether the batch in progress holds bytes that are not valid UTF-8: each row's Key and Data are checked. */
  private checkUtf8 = false;

  /** Reads the batch's records. Returns the line feeds seen. */
  private scan(src: Buffer, layout: ColumnLayout, final: boolean): number {
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
  private readonly recordScan = recordScan();
  /** Receives a quoted record's fields from the scanner into `scratch`. */
  private readonly scratchFields: FieldSink = {
    content: (src, from, to) => this.copyToScratch(src, from, to),
    quote: () => {
      this.ensureScratch(this.w + 1);
      this.scratch[this.w++] = QUOTE;
    },
    endField: () => this.endField(),
  };

  /**
   * Reads one record that holds a quote, from `pos`, into `scratch` (fields unquoted and
   * unescaped) through the RFC 4180 scanner. Returns where the next record starts.
   */
  private parseQuotedRecord(src: Buffer, pos: number, final: boolean): number {
    this.w = 0;
    this.count = 0;
    this.fieldStart = 0;
    const scan = this.recordScan;
    scanRecord(src, pos, src.length, this.scratchFields, scan);
    if (!scan.complete && !final) throw new Error("a batch that is not the last one must end with a whole record");
    this.fieldCount = this.count;
    this.quotedLineFeeds = scan.lineFeeds;
    this.unterminated = scan.unterminated;
    return scan.end;
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
    const facts = this.facts;
    if (this.checkUtf8) {
      const invalid = hasKey && !isUtf8(src.subarray(ks, ke)) ? "Key" : hasData && !isUtf8(src.subarray(ds, de)) ? "Data" : "";
      facts.invalidUtf8 = invalid;
      if (invalid !== "") {
        // Not normalised (the normaliser needs valid UTF-8): the invalid bytes decide the reason.
        facts.unterminatedQuote = unterminated;
        facts.extraFields = count > layout.width ? count - layout.width : 0;
        facts.keyBytes = ke - ks;
        facts.dataBytes = de - ds;
        this.reject(src, hasKey ? ks : -1, ke, hasData ? ds : -1, de, line, facts);
        return;
      }
    }
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
    o = writeField(tmp, 0, ke - ks, this.out, o);
    this.out[o++] = COMMA;
    o = writeField(tmp, ds - ks, de - ks, this.out, o);
    this.out[o++] = LF;
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

  /** A rejected row, with the reason of the first record rule its facts break (record-schema.ts). */
  private reject(src: Buffer, ks: number, ke: number, ds: number, de: number, line: number, facts: RecordFacts): void {
    const reason = rejectionReason(facts, this.maxFieldBytes);
    if (reason === undefined) throw new Error(`the record rules type refused facts no record rule breaks: ${JSON.stringify(facts)}`);
    const key = ks < 0 ? "" : src.toString("utf8", ks, ke);
    const data = ds < 0 ? "" : src.toString("utf8", ds, de);
    this.rejectedByReason[reason] = (this.rejectedByReason[reason] ?? 0) + 1;
    this.rejected.push(`${formatField(key)},${formatField(data)},${formatField(reason)}\n`);
    this.rejectedLines.push(line);
  }
}
