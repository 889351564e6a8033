/**
 * The embedded warehouse: PGlite (Postgres compiled to WebAssembly, in-process) in a local
 * folder, or in memory. Stages a part with `COPY … FROM '/dev/blob'`, PGlite's way of feeding
 * COPY from a Blob.
 * @see https://pglite.dev/docs/api
 */
import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { PGlite, Results, Transaction } from "@electric-sql/pglite";
import type { PostgresSession, PostgresTransaction, SqlResult } from "./postgres-session.ts";
import { stageCopyFromBlobSql } from "./postgres-stage-sql.ts";

/**
 * Settings PGlite starts with, on top of its own (`PGlite.defaultStartParams`, which
 * `startParams` replaces), for a folder whose relations (`base/`) take `relationBytes` on disk:
 * - `shared_buffers` from {@link sharedBuffersMiB}: enough to keep the target's `row_hash` index
 *   in memory, which every load probes, and no more, since PGlite initialises all of it as it
 *   starts, on the main thread while the transform runs;
 * - `temp_buffers` for the stage (a temporary table, held in these session-local buffers, 8 MB
 *   by default), and `work_mem` for the load's sort or hash of a million staged rows. Both are
 *   taken only as they are used.
 * @see https://www.postgresql.org/docs/current/runtime-config-resource.html
 */
export function pgliteSettings(relationBytes: number): Record<string, string> {
  return { shared_buffers: `${sharedBuffersMiB(relationBytes)}MB`, temp_buffers: "256MB", work_mem: "128MB" };
}

const MIB = 2 ** 20;
/** The least `shared_buffers`: a new or small warehouse. */
export const MIN_SHARED_BUFFERS_MIB = 64;
/** The most: the index of about 25M rows; the WebAssembly heap is the laptop's memory. */
export const MAX_SHARED_BUFFERS_MIB = 512;

/**
 * `shared_buffers` for a warehouse whose relations take `relationBytes`: half of them (about
 * four times the `row_hash` index, which is an eighth of a target's bytes), rounded up to a
 * power of two, between {@link MIN_SHARED_BUFFERS_MIB} and {@link MAX_SHARED_BUFFERS_MIB}.
 * Measured: 1M new rows into 5M with 128 MB took 17–20 s to load, 10 s with 512 MB; starting
 * PGlite took 0.93–0.95 s with 512 MB and 0.40–0.48 s with 16–32 MB (it zeroes the buffers, about
 * 1 ms a MB), and a run into an empty warehouse peaked at 1.17 GB RSS with 512 MB, 0.66 GB with 64 MB.
 */
export function sharedBuffersMiB(relationBytes: number): number {
  const wanted = Math.max(1, Math.ceil(relationBytes / 2 / MIB));
  return Math.min(MAX_SHARED_BUFFERS_MIB, Math.max(MIN_SHARED_BUFFERS_MIB, 2 ** Math.ceil(Math.log2(wanted))));
}

/**
 * A freshly initialised data folder, as PGlite's gzip tarball: made at build time by the PGlite
 * the bundle ships (task/scripts/warehouse-template.mjs) and shipped beside the bundle. Absent
 * when running from the sources, where a new folder is initialised by initdb as before.
 */
export const WAREHOUSE_TEMPLATE = new URL("./pglite-template.tar.gz", import.meta.url);

/**
 * Opens (creating if needed) a PGlite database in `dataDir`, or in memory when undefined.
 * A new (missing or empty) folder starts from `template` when it exists, instead of initdb:
 * under a second against 3–5 s, most of a first run's wait.
 * One process at a time may open a folder: hold its lock (load/warehouse-lock.ts) first.
 */
export async function openPglite(dataDir?: string, template: URL = WAREHOUSE_TEMPLATE): Promise<PGlite> {
  // Imported here: PGlite loads only when a run opens the embedded warehouse (not for --help).
  const { PGlite } = await import("@electric-sql/pglite");
  const settings = pgliteSettings(dataDir === undefined ? 0 : await folderBytes(join(dataDir, "base")));
  const startParams = [...PGlite.defaultStartParams, ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
  if (dataDir === undefined) return PGlite.create({ startParams });
  await mkdir(dataDir, { recursive: true });
  const loadDataDir = (await readdir(dataDir)).length === 0 ? await readTemplate(template) : undefined;
  return PGlite.create(dataDir, { startParams, ...(loadDataDir ? { loadDataDir } : {}) });
}

/** The bytes of the files under `dir` (every level); 0 when it does not exist (a new folder). */
async function folderBytes(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw error;
  }
  const sizes = await Promise.all(entries.filter((e) => e.isFile()).map(async (e) => (await stat(join(e.parentPath ?? e.path, e.name))).size));
  return sizes.reduce((a, b) => a + b, 0);
}

/** The template's bytes as a Blob, or undefined when there is none (running from the sources). */
async function readTemplate(template: URL): Promise<Blob | undefined> {
  try {
    return new Blob([await readFile(template)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * A session on `db`; `close()` closes `db` only when `owned`, then calls `afterClose` (e.g. to
 * release the folder's lock), even when closing failed.
 */
export function pgliteSession(db: PGlite, owned: boolean, afterClose?: () => Promise<void>): PostgresSession {
  const arrays = { rowMode: "array" } as const;
  return {
    query: async (sql) => sqlResult(await db.query<unknown[]>(sql, [], arrays)),
    readOnlyQuery: (sql) =>
      db.transaction(async (tx) => {
        await tx.query("SET TRANSACTION READ ONLY");
        // query() uses the extended protocol: Postgres refuses more than one statement.
        const result = sqlResult(await tx.query<unknown[]>(sql, [], arrays));
        await tx.rollback();
        return result;
      }),
    transaction: (work) => db.transaction((tx) => work(pgliteTransaction(tx))),
    close: async () => {
      try {
        if (owned) await db.close();
      } finally {
        await afterClose?.();
      }
    },
  };
}

function pgliteTransaction(tx: Transaction): PostgresTransaction {
  return {
    query: async (sql) => sqlResult(await tx.query<unknown[]>(sql, [], { rowMode: "array" })),
    async stageCsv(tables, csv) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of csv) chunks.push(chunk);
      const result = await tx.query(stageCopyFromBlobSql(tables), [], { blob: new Blob(chunks) });
      return result.affectedRows ?? 0;
    },
  };
}

function sqlResult(result: Results<unknown[]>): SqlResult {
  return {
    columns: result.fields.map((f) => f.name),
    rows: result.rows,
    rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length,
  };
}
