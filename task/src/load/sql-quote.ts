/**
 * The one place SQL text is made from values: identifiers and literals for the two dialects
 * the warehouse speaks. Every SQL builder goes through these; none interpolates a value.
 */
import { EtlError } from "../errors.ts";

/**
 * `redshift`: Amazon Redshift (through the Data API). `postgres`: PostgreSQL, including
 * PGlite (embedded Postgres).
 */
export type SqlDialect = "redshift" | "postgres";

/**
 * Quotes one identifier: always double-quoted, embedded `"` doubled, so any name (a reserved
 * word such as `key`, mixed case, punctuation) is taken literally.
 * Both dialects use this rule; Redshift folds even quoted names to lower case unless
 * `enable_case_sensitive_identifier` is on, which is why the warehouse only accepts lower-case names.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
 * @throws EtlError INTERNAL for an empty name or one holding NUL, which no database accepts.
 */
export function quoteIdentifier(name: string): string {
  if (name === "" || name.includes("\0")) throw new EtlError("INTERNAL", `not a valid SQL identifier: ${JSON.stringify(name)}`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a possibly schema-qualified name, part by part: `["public","t"]` → `"public"."t"`. */
export function quoteQualifiedName(parts: readonly string[]): string {
  if (parts.length === 0) throw new EtlError("INTERNAL", "an empty qualified name");
  return parts.map(quoteIdentifier).join(".");
}

/**
 * Quotes a string literal.
 * - Redshift reads a backslash in a literal as an escape (its QUOTE_LITERAL doubles both
 *   quotes and backslashes), so both `'` and `\` are doubled.
 *   @see https://docs.aws.amazon.com/redshift/latest/dg/r_QUOTE_LITERAL.html
 * - Postgres reads backslashes literally in `'…'` only while `standard_conforming_strings`
 *   is on; a value with a backslash is written as an escape string `E'…'` with `\` doubled,
 *   which means the same whatever that setting is (libpq's PQescapeLiteral does the same).
 *   @see https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-STRINGS-ESCAPE
 * @throws EtlError INTERNAL for a value holding NUL, which neither stores in text.
 */
export function quoteLiteral(dialect: SqlDialect, value: string): string {
  if (value.includes("\0")) throw new EtlError("INTERNAL", "a SQL string literal cannot hold NUL");
  const quoted = value.replaceAll("'", "''");
  if (!value.includes("\\")) return `'${quoted}'`;
  const escaped = quoted.replaceAll("\\", "\\\\");
  return dialect === "redshift" ? `'${escaped}'` : `E'${escaped}'`;
}

/**
 * A whole number as SQL text.
 * @throws EtlError INTERNAL unless `n` is a safe integer (never NaN, a fraction or an exponent form).
 */
export function sqlInteger(n: number): string {
  if (!Number.isSafeInteger(n)) throw new EtlError("INTERNAL", `not a whole number for SQL: ${n}`);
  return String(n);
}
