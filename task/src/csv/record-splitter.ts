import { MAX_RECORD_BYTES, RecordTooLong } from "./record-limit.ts";

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Cuts one input's byte stream into batches of whole records, so batches can be parsed
 * independently (on worker threads). A line feed ends a record only outside quotes, and a
 * quote opens a quoted field only at the start of a field, so the splitter follows the
 * tokenizer's quote rules (see {@link CsvTokenizer}) — but only at quotes, which it finds with
 * `indexOf`; between them every line feed is a record end.
 *
 * A UTF-8 byte-order mark at the start is dropped. Each batch owns its memory (it can be
 * transferred to a worker), ends right after a line feed, and is at least `targetBytes`
 * long unless it is the last one, which may end anywhere (even inside an open quote).
 * A record longer than `maxRecordBytes` stops it with {@link RecordTooLong}: it never holds
 * more than `targetBytes + maxRecordBytes`.
 */
export class RecordSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of `pending` already scanned. */
  private scanned = 0;
  /** Where batches end in `pending`: the first record end at least `targetBytes` after the last. */
  private cuts: number[] = [];
  /** A record end at or after this offset in `pending` ends the next batch. */
  private nextCutFrom: number;
  private inQuote = false;
  /** The last byte scanned was a quote inside a quoted field: escaped or closing, the next byte says. */
  private quotePending = false;
  /** The byte before the next one to scan; a line feed at the start of the input. */
  private previous = LF;
  private started = false;
  private failure: RecordTooLong | undefined;

  /**
   * @param allocate where batch memory comes from (a pool, to reuse it); by default, new.
   *   It must return a buffer of exactly `bytes` bytes at offset 0 of memory of its own.
   */
  constructor(
    private readonly targetBytes: number,
    private readonly allocate: (bytes: number) => Buffer = (bytes) => Buffer.allocUnsafeSlow(bytes),
    private readonly maxRecordBytes = MAX_RECORD_BYTES,
  ) {
    this.nextCutFrom = targetBytes;
  }

  /**
   * Adds bytes; returns the batches that are complete.
   * @throws RecordTooLong once a record passes the limit (after returning the batches before it).
   */
  push(chunk: Buffer): Buffer[] {
    if (this.failure) throw this.failure;
    if (chunk.length === 0) return [];
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (!this.started) {
      if (this.pendingBytes < BOM.length) return [];
      this.started = true;
      const head = this.take(this.pendingBytes);
      this.pending = [head.subarray(0, 3).equals(BOM) ? head.subarray(3) : head];
      this.pendingBytes = this.pending[0]!.length;
    }
    this.scanNew();
    const batches: Buffer[] = [];
    let taken = 0;
    for (const cut of this.cuts) {
      batches.push(this.take(cut - taken));
      taken = cut;
    }
    this.cuts = [];
    this.scanned -= taken;
    this.nextCutFrom -= taken;
    // No record ends at or after nextCutFrom - 1 in what is held: the record there is longer than the limit.
    // The batches before it are returned first; the next call throws.
    if (this.pendingBytes - (this.nextCutFrom - 1) > this.maxRecordBytes) {
      const held = Buffer.concat(this.pending);
      this.failure = new RecordTooLong(this.maxRecordBytes, { lineFeedsIntoRegion: lineFeedsBeforeRecordAt(held, this.nextCutFrom - 1) });
      this.pending = [];
      this.pendingBytes = 0;
      if (batches.length === 0) throw this.failure;
    }
    return batches;
  }

  /** The last batch: whatever is left (possibly empty). An input shorter than a BOM is kept as is. */
  end(): Buffer {
    if (this.failure) throw this.failure;
    return this.take(this.pendingBytes);
  }

  /** Scans the bytes of `pending` not scanned yet, tracking quotes and the last record end. */
  private scanNew(): void {
    let offset = 0;
    for (const chunk of this.pending) {
      const from = this.scanned - offset;
      if (from < chunk.length) this.scanChunk(chunk, Math.max(0, from), offset);
      offset += chunk.length;
    }
    this.scanned = offset;
  }

  private scanChunk(chunk: Buffer, from: number, offset: number): void {
    const n = chunk.length;
    let i = from;
    if (this.quotePending) {
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
        const from = Math.max(i, this.nextCutFrom - 1 - offset);
        if (from >= stop) break;
        const lf = chunk.indexOf(LF, from);
        if (lf === -1 || lf >= stop) break;
        this.cuts.push(offset + lf + 1);
        this.nextCutFrom = offset + lf + 1 + this.targetBytes;
      }
      if (q === -1) break;
      const before = q > i ? chunk[q - 1]! : this.previous;
      if (before === COMMA || before === LF) this.inQuote = true;
      this.previous = QUOTE;
      i = q + 1;
    }
    if (n > 0) this.previous = chunk[n - 1]!;
  }

  /** Removes the first `bytes` of `pending` and returns them in a buffer of their own. */
  private take(bytes: number): Buffer {
    const out = this.allocate(bytes);
    let filled = 0;
    while (filled < bytes) {
      const head = this.pending[0]!;
      const n = Math.min(head.length, bytes - filled);
      head.copy(out, filled, 0, n);
      filled += n;
      if (n === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(n);
    }
    this.pendingBytes -= bytes;
    return out;
  }
}

/**
 * Where the record starting at `start` ends in `bytes` (just past its line feed), or -1 when it
 * does not end before `limit`; the splitter's quote rules. `lineFeeds` counts every line feed
 * passed, quoted ones included.
 */
function recordEnd(bytes: Buffer, start: number, limit: number): { end: number; lineFeeds: number } {
  let inQuote = false;
  let fieldStart = true;
  let lineFeeds = 0;
  for (let i = start; i < limit; i++) {
    const b = bytes[i];
    if (b === LF) lineFeeds++;
    if (inQuote) {
      if (b === QUOTE) {
        if (bytes[i + 1] === QUOTE) i++;
        else inQuote = false;
      }
      continue;
    }
    if (b === LF) return { end: i + 1, lineFeeds };
    if (b === QUOTE && fieldStart) inQuote = true;
    fieldStart = b === COMMA;
  }
  return { end: -1, lineFeeds };
}

/**
 * Line feeds in `bytes` (which start at a record boundary) before the record that holds
 * `bytes[pos]` starts.
 */
export function lineFeedsBeforeRecordAt(bytes: Buffer, pos: number): number {
  let lineFeeds = 0;
  for (let at = 0; ; ) {
    const record = recordEnd(bytes, at, pos);
    if (record.end === -1) return lineFeeds;
    lineFeeds += record.lineFeeds;
    at = record.end;
  }
}

/**
 * Where the first record that is not a blank line ends in `batch` (the header row), and how
 * many line feeds come before it starts; `undefined` when the batch holds no such record.
 * `final` says the batch is the input's last, so a record may end at its end.
 */
export function findHeader(batch: Buffer, final: boolean): { start: number; end: number; lineFeedsBefore: number } | undefined {
  let pos = 0;
  let lineFeedsBefore = 0;
  // Skip blank lines (LF or CRLF), as the tokenizer does.
  for (;;) {
    if (batch[pos] === LF) pos++;
    else if (batch[pos] === 13 && batch[pos + 1] === LF) pos += 2;
    else break;
    lineFeedsBefore++;
  }
  if (pos >= batch.length) return undefined;
  const { end } = recordEnd(batch, pos, batch.length);
  if (end !== -1) return { start: pos, end, lineFeedsBefore };
  return final ? { start: pos, end: batch.length, lineFeedsBefore } : undefined;
}
