import { formatField } from "../csv/csv-format.ts";
import { isFieldInvalid, type RowHandler } from "../csv/csv-tokenizer.ts";
import { missingHeader, resolveHeader, type ColumnLayout } from "../csv/header.ts";
import { Deduplicator } from "./dedup.ts";
import { validateRecord, type RawRecord, type RecordSchema } from "./record-schema.ts";

/** Counts of one input (or of a whole run, when summed). */
export interface RecordCounts {
  rowsRead: number;
  clean: number;
  duplicates: number;
  rejected: number;
  /** Reason → number of rejected rows. */
  rejectedByReason: Record<string, number>;
}

export function emptyCounts(): RecordCounts {
  return { rowsRead: 0, clean: 0, duplicates: 0, rejected: 0, rejectedByReason: {} };
}

/**
 * Turns the tokenizer's rows into output lines: the first row is the header; every other
 * row goes through the record schema, clean ones through dedup. Output accumulates as CSV
 * text that the caller takes after each chunk ({@link takeClean}, {@link takeRejected}).
 */
export class RecordProcessor {
  private layout: ColumnLayout | undefined;
  private clean = "";
  private rejected = "";
  readonly counts: RecordCounts = emptyCounts();

  constructor(
    private readonly schema: RecordSchema,
    private readonly dedup: Deduplicator,
    /** Name of the input, for errors. */
    private readonly file: string,
  ) {}

  /** The tokenizer callback. */
  readonly onRow: RowHandler = (fields, line, unterminated, invalidMask) => {
    const layout = this.layout;
    if (layout === undefined) {
      this.layout = resolveHeader(fields, this.file, line);
      return;
    }
    this.counts.rowsRead++;
    const raw: RawRecord = {
      key: fields[layout.keyIndex],
      data: fields[layout.dataIndex],
      extraFields: fields.length > layout.width ? fields.length - layout.width : 0,
      invalidUtf8:
        invalidMask === 0
          ? ""
          : isFieldInvalid(invalidMask, layout.keyIndex)
            ? "Key"
            : isFieldInvalid(invalidMask, layout.dataIndex)
              ? "Data"
              : "",
      unterminatedQuote: unterminated,
    };
    const result = validateRecord(this.schema, raw);
    if (!result.ok) {
      this.reject(line, raw, result.reason);
      return;
    }
    const row = formatField(result.record.key) + "," + formatField(result.record.data) + "\n";
    if (this.dedup.firstSeen(row)) {
      this.counts.clean++;
      this.clean += row;
    } else {
      this.counts.duplicates++;
    }
  };

  private reject(line: number, raw: RawRecord, reason: string): void {
    this.counts.rejected++;
    const byReason = this.counts.rejectedByReason;
    byReason[reason] = (byReason[reason] ?? 0) + 1;
    this.rejected += `${line},${formatField(raw.key ?? "")},${formatField(raw.data ?? "")},${formatField(reason)}\n`;
  }

  /** Throws when the input ended without a header row. */
  assertHeaderSeen(): void {
    if (this.layout === undefined) throw missingHeader(this.file);
  }

  /** Clean CSV lines produced since the last call. */
  takeClean(): string {
    const out = this.clean;
    this.clean = "";
    return out;
  }

  /** Rejected CSV lines (`line,key,data,reason`) produced since the last call. */
  takeRejected(): string {
    const out = this.rejected;
    this.rejected = "";
    return out;
  }
}
