/**
 * The cases every warehouse test runs against the row hash: loads under a one-digit hash (so
 * rows collide), and a target made by the old DDL.
 */
import assert from "node:assert/strict";
import { md5RowHash, md5RowHashOf, type RowHashSql } from "../../../../task/src/load/row-hash-sql.ts";
import { rowsRange, type Row } from "./load-fixtures.ts";

/** The real hash modulo 16: 16 values, so a few dozen rows collide many times over. */
export const tinyRowHash: RowHashSql = (alias, dialect) => `MOD(${md5RowHash(alias, dialect)}, 16)`;

/** What {@link tinyRowHash} computes, in JavaScript. */
export function tinyRowHashOf(key: string, data: string): string {
  return (BigInt(md5RowHashOf(key, data)) % 16n).toString();
}

/** The first load: 40 rows, loaded whole although they share 16 hash values. */
export const COLLIDING_FIRST: Row[] = rowsRange(0, 40);

/**
 * The second load: 20 rows already present (exact duplicates) and 3 new rows that differ from
 * present ones by data, by key, or by one trailing space, all sharing hashes with present rows.
 */
export const COLLIDING_SECOND: Row[] = [...rowsRange(10, 20), ["k0", "other"], ["k1x", "d1"], ["k2", "d2 "]];

/** What the second load must report. */
export const COLLIDING_SECOND_RESULT = { loaded: 3, alreadyPresent: 20 };

/** Checks the target after both loads: every row once, each with its tiny hash, hashes shared. */
export function assertCollidedTable(rows: ReadonlyArray<{ key: string; data: string; row_hash: unknown }>): void {
  const expected = [...COLLIDING_FIRST, ...COLLIDING_SECOND.slice(20)].map(([k, d]) => `${k}|${d}`).sort();
  assert.deepEqual(rows.map((r) => `${r.key}|${r.data}`).sort(), expected);
  for (const r of rows) assert.equal(String(r.row_hash), tinyRowHashOf(r.key, r.data));
  assert.ok(new Set(rows.map((r) => String(r.row_hash))).size <= 16, "rows share hashes");
}

/** Checks every row of a migrated target carries its real hash. */
export function assertRealHashes(rows: ReadonlyArray<{ key: string; data: string; row_hash: unknown }>): void {
  assert.ok(rows.length > 0);
  for (const r of rows) assert.equal(String(r.row_hash), md5RowHashOf(r.key, r.data), `${r.key}|${r.data}`);
}
