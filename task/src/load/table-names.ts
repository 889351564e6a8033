/**
 * The warehouse's table names, derived from the one the user configures: the target, and
 * beside it (same schema) the run ledger. Pure; names are checked once here and quoted by
 * `sql-quote.ts`.
 */
import { EtlError } from "../errors.ts";
import { quoteQualifiedName } from "./sql-quote.ts";

/** A lower-case SQL name: letter or `_`, then letters, digits, `_`. */
const NAME = /^[a-z_][a-z0-9_]*$/;
/** Postgres truncates identifiers past 63 bytes (Redshift allows 127): keep every derived name within 63. */
export const MAX_IDENTIFIER_BYTES = 63;
/** Suffix of the ledger table's name. */
export const LEDGER_SUFFIX = "_ledger";
/** The session-local staging table each load creates (a temporary table, so never shared). */
export const STAGE_TABLE = "cti_etl_stage";

/** A table name, optionally schema-qualified. */
export interface TableName {
  schema?: string;
  name: string;
}

/** The tables a load writes. */
export interface WarehouseTables {
  /** Rows: `key`, `data`, `run_id`, `loaded_at`. */
  target: TableName;
  /** One row per run that loaded: `<target>_ledger` in the target's schema. */
  ledger: TableName;
  /** Temporary staging table of the load's session. */
  stage: TableName;
}

/**
 * Parses `name` or `schema.name` (lower-case identifiers, e.g. `public.cti_records`).
 * @throws EtlError USAGE for anything else, naming the rule.
 */
export function parseTableName(text: string): TableName {
  const parts = text.split(".");
  if (parts.length > 2 || parts.some((p) => !NAME.test(p))) {
    throw new EtlError(
      "USAGE",
      `warehouse table ${JSON.stringify(text)} must be <name> or <schema>.<name> of lower-case letters, digits and _ (not starting with a digit)`,
    );
  }
  const name = parts.at(-1)!;
  if (Buffer.byteLength(name + LEDGER_SUFFIX) > MAX_IDENTIFIER_BYTES) {
    throw new EtlError("USAGE", `warehouse table name ${JSON.stringify(name)} is too long: at most ${MAX_IDENTIFIER_BYTES - LEDGER_SUFFIX.length} characters`);
  }
  return parts.length === 2 ? { schema: parts[0]!, name } : { name };
}

/** The target, its ledger and the staging table for a configured target name. */
export function warehouseTables(table: string): WarehouseTables {
  const target = parseTableName(table);
  return {
    target,
    ledger: { ...target, name: target.name + LEDGER_SUFFIX },
    stage: { name: STAGE_TABLE },
  };
}

/** The quoted, possibly qualified, name for SQL, e.g. `"public"."cti_records"`. */
export function sqlTableName(table: TableName): string {
  return quoteQualifiedName(table.schema === undefined ? [table.name] : [table.schema, table.name]);
}
