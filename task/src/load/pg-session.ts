/**
 * A Postgres server at a `postgres://` URL, through node-postgres. node-postgres has no COPY
 * FROM STDIN of its own (that needs the pg-copy-streams package), so a part is staged in
 * batches: each one INSERT of two text arrays through `unnest`.
 * @see https://node-postgres.com/apis/pool
 */
import type pg from "pg";
import { csvPartBatches } from "./csv-part-rows.ts";
import type { PostgresSession, PostgresTransaction, SqlResult } from "./postgres-session.ts";
import { stageInsertBatchSql } from "./postgres-stage-sql.ts";

/** Rows per staging INSERT: two arrays of this many values, a few MB per round trip. */
export const STAGE_BATCH_ROWS = 5_000;

type Queryable = Pick<pg.PoolClient, "query">;

/**
 * A session on `pool`: each transaction takes its own connection, so concurrent loads really
 * are concurrent and the ledger lock serialises them. `close()` ends the pool only when `owned`.
 */
export function pgSession(pool: pg.Pool, owned: boolean): PostgresSession {
  // An idle pooled connection that the server drops (restart, failover, idle timeout) emits
  // 'error' on the pool; unhandled, it would crash the process. The pool discards that
  // client and the next query connects afresh; an active query still fails normally.
  pool.on("error", () => {});
  return {
    query: (sql) => run(pool, sql),
    async readOnlyQuery(sql) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN READ ONLY");
        // The extended protocol takes exactly one statement, so none can follow a COMMIT.
        return await run(client, sql, true);
      } finally {
        await client.query("ROLLBACK").catch(() => undefined);
        client.release();
      }
    },
    async transaction(work) {
      const client = await pool.connect();
      let broken: unknown;
      try {
        await client.query("BEGIN");
        const result = await work(pgTransaction(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((e: unknown) => (broken = e));
        throw error;
      } finally {
        // A connection whose ROLLBACK failed is not returned to the pool.
        client.release(broken instanceof Error ? broken : undefined);
      }
    },
    close: async () => {
      if (owned) await pool.end();
    },
  };
}

function pgTransaction(client: Queryable): PostgresTransaction {
  return {
    query: (sql) => run(client, sql),
    async stageCsv(tables, csv, url) {
      const sql = stageInsertBatchSql(tables);
      let rows = 0;
      for await (const batch of csvPartBatches(csv, url, STAGE_BATCH_ROWS)) {
        const result = await client.query(sql, [batch.keys, batch.data]);
        rows += result.rowCount ?? 0;
      }
      return rows;
    },
  };
}

async function run(client: Queryable, sql: string, singleStatement = false): Promise<SqlResult> {
  const config: pg.QueryArrayConfig & { queryMode?: "extended" } = { text: sql, rowMode: "array", ...(singleStatement ? { queryMode: "extended" } : {}) };
  const result = await client.query(config);
  return { columns: result.fields.map((f) => f.name), rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
}
