/**
 * Splits CSV text into records the way Redshift's COPY ... CSV reads them: a field may be
 * quoted, a quoted field may hold delimiters, newlines and doubled quotes, and a record ends
 * at LF or CRLF. Pure; keeps whether each field was quoted (it matters for NULL handling)
 * and the physical line each record starts on (for error messages).
 */

export interface CsvField {
  value: string;
  quoted: boolean;
}

export interface CsvRecord {
  fields: CsvField[];
  /** 1-based physical line the record starts on. */
  line: number;
  /** True for an empty line (no characters before its newline). */
  blank: boolean;
}

/** Malformed quoting; Redshift's load error reason is "Invalid quote formatting for CSV". */
export class CsvQuoteError extends Error {
  readonly code = "CSV_INVALID_QUOTE";
  constructor(readonly line: number) {
    super("Invalid quote formatting for CSV");
    this.name = "CsvQuoteError";
  }
}

export interface CsvDialect {
  /** One character, e.g. `,`. */
  delimiter: string;
  /** One character, e.g. `"`. */
  quote: string;
}

/** Parses all records of `text`. A final newline does not start another record. */
export function parseCsvRecords(text: string, dialect: CsvDialect): CsvRecord[] {
  const { delimiter, quote } = dialect;
  const records: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const record: CsvRecord = { fields: [], line, blank: false };
    const recordStart = i;
    for (;;) {
      let value = "";
      let quoted = false;
      if (text[i] === quote) {
        quoted = true;
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= text.length) throw new CsvQuoteError(quoteLine);
          const c = text[i]!;
          if (c === quote) {
            if (text[i + 1] === quote) {
              value += quote;
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === "\n") line++;
          value += c;
          i++;
        }
        const after = text[i];
        if (after !== undefined && after !== delimiter && after !== "\n" && !(after === "\r" && text[i + 1] === "\n")) {
          throw new CsvQuoteError(line);
        }
      } else {
        let j = i;
        while (j < text.length && text[j] !== delimiter && text[j] !== "\n" && !(text[j] === "\r" && text[j + 1] === "\n")) j++;
        value = text.slice(i, j);
        i = j;
      }
      record.fields.push({ value, quoted });
      if (text[i] === delimiter) {
        i++;
        continue;
      }
      record.blank = i === recordStart;
      if (text[i] === "\r") i++;
      if (text[i] === "\n") {
        i++;
        line++;
      }
      break;
    }
    records.push(record);
  }
  return records;
}
