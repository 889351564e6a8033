import { MAX_RECORD_BYTES, RecordTooLong } from "./record-limit.ts";
import { blankLineAt, RecordEndFinder, recordScan, scanRecord, stripBom, UTF8_BOM } from "./rfc4180.ts";

/**
 * Cuts one input's byte stream into batches of whole records, so batches can be parsed
 * independently (on worker threads), where rfc4180.ts's {@link RecordEndFinder} finds record
 * ends: the quote state machine the batch transform reads records with, carried across chunks.
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
  private readonly recordEnds = new RecordEndFinder();
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
      if (this.pendingBytes < UTF8_BOM.length) return [];
      this.started = true;
      this.pending = [stripBom(this.take(this.pendingBytes))];
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

  /** Scans the bytes of `pending` not scanned yet, noting where batches end. */
  private scanNew(): void {
    let offset = 0;
    for (const chunk of this.pending) {
      const from = this.scanned - offset;
      if (from < chunk.length) {
        const base = offset;
        this.recordEnds.pass(
          chunk,
          Math.max(0, from),
          () => this.nextCutFrom - 1 - base,
          (lf) => {
            this.cuts.push(base + lf + 1);
            this.nextCutFrom = base + lf + 1 + this.targetBytes;
          },
        );
      }
      offset += chunk.length;
    }
    this.scanned = offset;
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
 * Line feeds in `bytes` (which start at a record boundary) before the record that holds
 * `bytes[pos]` starts.
 */
export function lineFeedsBeforeRecordAt(bytes: Buffer, pos: number): number {
  const scan = recordScan();
  let lineFeeds = 0;
  for (let at = 0; ; ) {
    scanRecord(bytes, at, pos, undefined, scan);
    if (!scan.complete) return lineFeeds;
    lineFeeds += scan.lineFeeds;
    at = scan.end;
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
  for (let blank = blankLineAt(batch, pos); blank > 0; blank = blankLineAt(batch, pos)) {
    pos += blank;
    lineFeedsBefore++;
  }
  if (pos >= batch.length) return undefined;
  const scan = recordScan();
  scanRecord(batch, pos, batch.length, undefined, scan);
  if (scan.complete) return { start: pos, end: scan.end, lineFeedsBefore };
  return final ? { start: pos, end: batch.length, lineFeedsBefore } : undefined;
}
