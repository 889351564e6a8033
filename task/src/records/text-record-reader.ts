import { MAX_RECORD_BYTES, RecordTooLong } from "./record-limit.ts";
import { RecordSplitter } from "./record-splitter.ts";
import { textRecords, type TextRecord } from "./rfc4180.ts";

/** Bytes the splitter gathers before the records are read off (not a limit: a record may be longer). */
const REGION_BYTES = 64 << 10;

/**
 * An input's records as text, for the reads off the hot path (clean parts read back): the
 * record splitter cuts the stream at record ends (dropping a byte-order mark) and
 * {@link textRecords} reads each region, so the rules are the engine's, whatever the chunking.
 * A record past `maxRecordBytes` stops it with {@link RecordTooLong}, naming the line it starts on.
 */
export class TextRecordReader {
  private readonly splitter: RecordSplitter;
  /** Line of the next region's first byte. */
  private line = 1;

  constructor(
    private readonly onRecord: (record: TextRecord) => void,
    maxRecordBytes = MAX_RECORD_BYTES,
  ) {
    // Regions no longer than the limit: the splitter notices a record past it one region late.
    this.splitter = new RecordSplitter(Math.min(REGION_BYTES, maxRecordBytes), undefined, maxRecordBytes);
  }

  push(chunk: Buffer): void {
    for (const region of this.split(() => this.splitter.push(chunk))) this.read(region, false);
  }

  /** Reads the rest, which may end without a line feed or inside a quote. */
  end(): void {
    for (const region of this.split(() => [this.splitter.end()])) this.read(region, true);
  }

  private split(next: () => Buffer[]): Buffer[] {
    try {
      return next();
    } catch (error) {
      if (error instanceof RecordTooLong && "lineFeedsIntoRegion" in error.where) {
        throw new RecordTooLong(error.limit, { line: this.line + error.where.lineFeedsIntoRegion });
      }
      throw error;
    }
  }

  private read(region: Buffer, final: boolean): void {
    const { records, nextLine } = textRecords(region, final, this.line);
    this.line = nextLine;
    for (const record of records) this.onRecord(record);
  }
}
