/**
 * A PGlite with the warehouse's tables, for tests of the SQL builders: each test runs in a
 * transaction that is rolled back, so tests do not see each other's rows.
 */
import type { PGlite, Transaction } from "@electric-sql/pglite";
import { ledgerTableDdl, stageTableDdl, targetTableDdl } from "../../../../task/src/load/table-ddl.ts";
import { warehouseTables, type WarehouseTables } from "../../../../task/src/load/table-names.ts";
import { sharedPglite } from "./shared-pglite.ts";

export const tables: WarehouseTables = warehouseTables("public.cti_records");

let created: Promise<PGlite> | undefined;

/** The shared PGlite, with the target and ledger of {@link tables} created (and left empty). */
export function pgliteWithTables(): Promise<PGlite> {
  created ??= (async () => {
    const db = await sharedPglite();
    await db.exec(targetTableDdl("postgres", tables));
    await db.exec(ledgerTableDdl("postgres", tables));
    return db;
  })();
  return created;
}

/** Runs `work` in a transaction with an empty stage, then rolls everything back. */
export async function inRolledBackTransaction(db: PGlite, work: (tx: Transaction) => Promise<void>): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.exec(stageTableDdl("postgres", tables));
    await work(tx);
    await tx.rollback();
  });
}

/** Inserts rows into a table of `tables` by name: values as given. */
export async function insertRows(tx: Transaction, table: string, rows: readonly (readonly unknown[])[]): Promise<void> {
  for (const row of rows) {
    await tx.query(`INSERT INTO ${table} VALUES (${row.map((_, i) => `$${i + 1}`).join(", ")})`, [...row]);
  }
}

/** A ledger row: run id, fingerprint, status. */
export function ledgerRow(runId: string, fingerprint: string, status = "loaded"): unknown[] {
  return [runId, fingerprint, "[]", 0, 0, 0, 0, 0, 0, status, new Date("2026-01-01T00:00:00Z"), new Date(`2026-01-0${(runId.length % 8) + 1}T00:00:00Z`)];
}
