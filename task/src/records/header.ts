import { EtlError } from "../errors.ts";

/** Columns every input must have; matched case-insensitively after trimming. */
export const REQUIRED_COLUMNS = ["Key", "Data"] as const;

/** Where the required columns sit in a file's rows. */
export interface ColumnLayout {
  keyIndex: number;
  dataIndex: number;
  /** Number of columns in the header. */
  width: number;
}

/**
 * Finds `Key` and `Data` in a header row. Other columns are allowed and ignored.
 * @throws EtlError BAD_HEADER naming what was expected and what was found.
 */
export function resolveHeader(fields: readonly string[], file: string, line: number): ColumnLayout {
  const names = fields.map((f) => f.trim().toLowerCase());
  const keyIndex = names.indexOf("key");
  const dataIndex = names.indexOf("data");
  if (keyIndex === -1 || dataIndex === -1) {
    const missing = REQUIRED_COLUMNS.filter((_, i) => [keyIndex, dataIndex][i] === -1);
    throw new EtlError(
      "BAD_HEADER",
      `header is missing ${missing.map((m) => `\`${m}\``).join(" and ")}: expected columns ${REQUIRED_COLUMNS.join(", ")} ` +
        `(any case, any order); found ${fields.length ? fields.map((f) => JSON.stringify(f)).join(", ") : "nothing"}`,
      { file, line, field: missing.join(",") },
    );
  }
  return { keyIndex, dataIndex, width: fields.length };
}

/** @throws EtlError BAD_HEADER for an input that holds no header row at all. */
export function missingHeader(file: string): EtlError {
  return new EtlError(
    "BAD_HEADER",
    `input is empty: expected a header row with columns ${REQUIRED_COLUMNS.join(", ")}`,
    { file, line: 1 },
  );
}
