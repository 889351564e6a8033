/**
 * Pure conversion of Postgres result values (as text, the way PGlite hands them over when
 * its parsers are identity functions) into the Data API's `Field` union and `ColumnMetadata`,
 * typed the way Redshift types them: integers as `longValue`, floats as `doubleValue`,
 * booleans as `booleanValue`, NULL as `isNull`, and everything else (DECIMAL, dates,
 * timestamps, character types) as `stringValue`.
 * @see https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_Field.html
 */

/** The Data API `Field` union as the emulator emits it (no `blobValue`). */
export type Field =
  | { isNull: true }
  | { booleanValue: boolean }
  | { longValue: number }
  | { doubleValue: number }
  | { stringValue: string };

/** The Data API `ColumnMetadata` as the emulator emits it. */
export interface ColumnMetadata {
  isCaseSensitive: boolean;
  isCurrency: boolean;
  isSigned: boolean;
  label: string;
  name: string;
  /** 1 = nullable (JDBC `columnNullable`); the emulator does not know better. */
  nullable: number;
  precision: number;
  scale: number;
  schemaName: string;
  tableName: string;
  typeName: string;
  length: number;
}

const LONG_TYPES = new Set(["int2", "int4", "int8", "oid"]);
const DOUBLE_TYPES = new Set(["float4", "float8"]);
const STRING_TYPES = new Set(["varchar", "bpchar", "text", "name", "char", "citext"]);
const SIGNED_TYPES = new Set([...LONG_TYPES, ...DOUBLE_TYPES, "numeric", "money"]);
/** Redshift's JDBC-style precision of the fixed-size types. */
const PRECISION: Record<string, number> = { int2: 5, int4: 10, int8: 19, float4: 8, float8: 17, bool: 1 };

/** Converts one value, given as Postgres text output (or null), of type `typeName`. */
export function toField(text: string | null, typeName: string): Field {
  if (text === null) return { isNull: true };
  if (LONG_TYPES.has(typeName)) return { longValue: Number(text) };
  if (DOUBLE_TYPES.has(typeName)) {
    const value = Number(text);
    return Number.isFinite(value) ? { doubleValue: value } : { stringValue: text };
  }
  if (typeName === "bool") return { booleanValue: text === "t" || text === "true" };
  return { stringValue: text };
}

/** Describes one result column. */
export function columnMetadata(name: string, typeName: string): ColumnMetadata {
  return {
    isCaseSensitive: STRING_TYPES.has(typeName),
    isCurrency: typeName === "money",
    isSigned: SIGNED_TYPES.has(typeName),
    label: name,
    name,
    nullable: 1,
    precision: PRECISION[typeName] ?? 0,
    scale: 0,
    schemaName: "",
    tableName: "",
    typeName,
    length: 0,
  };
}

/** Bytes a page of text values takes, as the Data API's `ResultSize` approximates it. */
export function resultSize(rows: ReadonlyArray<ReadonlyArray<string | null>>): number {
  let size = 0;
  for (const row of rows) for (const v of row) size += v === null ? 0 : Buffer.byteLength(v, "utf8");
  return size;
}
