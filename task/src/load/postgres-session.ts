/**
 * What the Postgres warehouse needs of a connection, implemented by PGlite (embedded) and by
 * node-postgres (`postgres://`): statements, transactions, and filling the stage with a part.
 */
import type { WarehouseTables } from "./table-names.ts";

/** A statement's outcome: result columns and rows (arrays, in column order), and the rows returned or affected. */
export interface SqlResult {
  columns: string[];
  rows: unknown[][];
  rowCount: number;
}

/** Statements inside one transaction. */
export interface PostgresTransaction {
  query(sql: string): Promise<SqlResult>;
  /**
   * Appends one part to the stage table. `csv` is the part's uncompressed CSV, header `key,data`
   * first. Resolves to the rows added.
   */
  stageCsv(tables: WarehouseTables, csv: AsyncIterable<Uint8Array>, url: string): Promise<number>;
}

export interface PostgresSession {
  /** One statement, committed on its own. */
  query(sql: string): Promise<SqlResult>;
  /** Exactly one statement, in a READ ONLY transaction that is then rolled back. */
  readOnlyQuery(sql: string): Promise<SqlResult>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: PostgresTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
