import { RecordEndFinder } from "../records/rfc4180.ts";

/** Whole rows, as one compressed block takes them. */
export interface RowBlock {
  data: Buffer;
  rows: number;
}

/**
 * Cuts a stream of whole CSV rows into blocks at fixed places: a block ends at the first row
 * end at or past `blockBytes` from its start, whatever pieces the rows came in. The pieces
 * depend on how the run went (the dedup's batches, arena blocks, a spill's drain); the blocks
 * do not, so the compressed parts are byte-identical for the same rows, spilled or not, on any
 * worker count. Row ends are found with the RFC 4180 quote rules (a quoted field may hold a
 * line feed). A block within one piece is a view of it; one across pieces is a copy.
 */
export class RowBlocks {
  private pieces: Buffer[] = [];
  private bytes = 0;
  private rows = 0;
  private readonly quotes = new RecordEndFinder();

  constructor(private readonly blockBytes: number) {
    if (!(blockBytes >= 1)) throw new RangeError(`blockBytes must be at least 1, got ${blockBytes}`);
  }

  /** Adds `rows` whole rows (`data` ends with a row's line feed); returns the blocks they complete. */
  push(data: Buffer, rows: number): RowBlock[] {
    const blocks: RowBlock[] = [];
    let from = 0;
    let next = 0;
    let seen = 0;
    this.quotes.pass(
      data,
      0,
      () => next,
      (lf) => {
        next = lf + 1;
        seen++;
        this.rows++;
        if (this.bytes + next - from < this.blockBytes) return;
        blocks.push({ data: this.take(data.subarray(from, next)), rows: this.rows });
        this.rows = 0;
        from = next;
      },
    );
    if (seen !== rows || next !== data.length) {
      throw new Error(`a block said to hold ${rows} whole rows holds ${seen} row ends, the last at byte ${next} of ${data.length}`);
    }
    if (from < data.length) {
      this.pieces.push(data.subarray(from));
      this.bytes += data.length - from;
    }
    return blocks;
  }

  /** The rows left over, as the last block (`undefined` when none). */
  flush(): RowBlock | undefined {
    if (this.rows === 0) return undefined;
    const block = { data: this.take(Buffer.alloc(0)), rows: this.rows };
    this.rows = 0;
    return block;
  }

  /** The held pieces followed by `last`, as one buffer; empties the pieces. */
  private take(last: Buffer): Buffer {
    const all = this.pieces.length === 0 ? last : Buffer.concat([...this.pieces, last], this.bytes + last.length);
    this.pieces = [];
    this.bytes = 0;
    return all;
  }
}
