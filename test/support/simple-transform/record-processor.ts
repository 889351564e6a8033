import { missingHeader, resolveHeader, type ColumnLayout } from "../../../task/src/records/header.ts";
import { emptyCounts } from "../../../task/src/records/record-counts.ts";
import { validateRecord, type RawRecord, type RecordSchema } from "../../../task/src/records/record-schema.ts";
import { isFieldInvalid, type RowHandler } from "./csv-tokenizer.ts";

/** One field, quoted per RFC 4180 only when it holds a quote, comma or line break (the oracle's own). */
export function formatField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Test oracle: turns the oracle tokenizer's rows into output lines, string by string: the first
 * row is the header; every other row goes through the record schema (the morph built from the
 * record rules table), clean ones through `firstSeen` (dedup). Output accumulates as CSV text.
 */
export class RecordProcessor {
  private layout: ColumnLayout | undefined;
  clean = "";
  rejected = "";
  readonly counts = emptyCounts();

  constructor(
    private readonly schema: RecordSchema,
    /** True the first time a clean line is offered (dedup); always true to keep every clean line. */
    private readonly firstSeen: (line: string) => boolean,
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
        invalidMask === 0 ? "" : isFieldInvalid(invalidMask, layout.keyIndex) ? "Key" : isFieldInvalid(invalidMask, layout.dataIndex) ? "Data" : "",
      unterminatedQuote: unterminated,
    };
    const result = validateRecord(this.schema, raw);
    if (!result.ok) {
      this.counts.rejected++;
      const byReason = this.counts.rejectedByReason;
      byReason[result.reason] = (byReason[result.reason] ?? 0) + 1;
      this.rejected += `${line},${formatField(raw.key ?? "")},${formatField(raw.data ?? "")},${formatField(result.reason)}\n`;
      return;
    }
    const row = formatField(result.record.key) + "," + formatField(result.record.data) + "\n";
    if (this.firstSeen(row)) {
      this.counts.clean++;
      this.clean += row;
    } else {
      this.counts.duplicates++;
    }
  };

  /** Throws when the input ended without a header row. */
  assertHeaderSeen(): void {
    if (this.layout === undefined) throw missingHeader(this.file);
  }
}
