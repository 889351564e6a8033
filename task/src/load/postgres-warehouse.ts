/**
 * The Postgres warehouse (embedded PGlite, or a server): the same load as Redshift's, run
 * statement by statement in one transaction on a {@link PostgresSession}, reading the parts
 * itself through a {@link PartReader}.
 */
import { EtlError } from "../errors.ts";
import { distinctStagedRowsSql, ledgerInsertSql, lockLedgerSql, priorLoadsSql } from "./ledger-sql.ts";
import { alreadyLoaded, planLoad, type LoadPlan } from "./load-plan.ts";
import { analyzeStageFirst, buildIndexAfterInsert, insertNewRowsSql, newRowsMatch, postgresNewRowsSettingsSql, targetStateSql } from "./new-rows-sql.ts";
import { analyzeStageSql } from "./postgres-stage-sql.ts";
import { rowHashColumnLookupSql, rowHashIndexDdl, rowHashIndexLookupSql, rowHashMigrationSql, type RowHashSql } from "./row-hash-sql.ts";
import { fileUrlPartReader, decompressed, type PartReader } from "./part-reader.ts";
import type { PostgresSession, PostgresTransaction } from "./postgres-session.ts";
import { decidePriorLoad, priorLoadRows, type PriorLoad } from "./prior-load.ts";
import { createSchemaDdl, ledgerTableDdl, schemaLookupSql, schemaToEnsure, setupLockSql, stageTableDdl, targetTableDdl } from "./table-ddl.ts";
import type { LoadPart, LoadRequest, LoadResult, QueryResult, Warehouse } from "./warehouse.ts";

export interface PostgresWarehouseOptions {
  /** The SQL of a row's hash. Default `md5RowHash`; tests pass a tiny one to force collisions. */
  rowHash?: RowHashSql;
}

export class PostgresWarehouse implements Warehouse {
  constructor(
    private readonly session: PostgresSession,
    /** Reads a part's gzip bytes. Default: `file://` URLs only. */
    private readonly readPart: PartReader = fileUrlPartReader,
    private readonly options: PostgresWarehouseOptions = {},
  ) {}

  async load(request: LoadRequest, signal?: AbortSignal): Promise<LoadResult> {
    const plan = planLoad(request, "postgres", this.options.rowHash);
    await this.session.transaction(async (tx) => {
      await tx.query(setupLockSql(plan.tables));
      const schema = schemaToEnsure(plan.tables);
      if (schema !== undefined && (await tx.query(schemaLookupSql("postgres", schema))).rows.length === 0) await tx.query(createSchemaDdl(schema));
      await tx.query(targetTableDdl("postgres", plan.tables));
      await tx.query(ledgerTableDdl("postgres", plan.tables));
    });
    const prior = await findPriorLoad(this.session, plan);
    if (prior.kind === "already-loaded") return alreadyLoaded(prior.loadedBy, plan);
    return this.session.transaction(async (tx) => {
      await tx.query(lockLedgerSql("postgres", plan.tables));
      // What committed while this load waited for the lock (a concurrent load of the same input).
      const racing = await findPriorLoad(tx, plan);
      if (racing.kind === "already-loaded") return alreadyLoaded(racing.loadedBy, plan);
      const indexLater = await ensureRowHash(tx, plan);
      await tx.query(stageTableDdl("postgres", plan.tables));
      await this.stageParts(tx, plan, request.parts, signal);
      const [targetEmpty, targetBytes, stageBytes] = (await tx.query(targetStateSql(plan.tables))).rows[0]!;
      const match = newRowsMatch({ targetEmpty: targetEmpty === true, targetBytes: Number(targetBytes), stageBytes: Number(stageBytes) }, !indexLater);
      if (analyzeStageFirst(match, plan.rowsMayRepeat)) await tx.query(analyzeStageSql(plan.tables));
      for (const sql of postgresNewRowsSettingsSql(match)) await tx.query(sql);
      // Rows repeated across shards count once: what "already present" is measured against,
      // counted once here and given to the ledger row.
      const distinctRows = plan.rowsMayRepeat ? Number((await tx.query(distinctStagedRowsSql(plan.tables))).rows[0]![0]) : undefined;
      const loaded = (await tx.query(insertNewRowsSql("postgres", plan.tables, request.runId, plan.fingerprint, plan.rowHash, match, plan.rowsMayRepeat))).rowCount;
      if (indexLater) await tx.query(rowHashIndexDdl(plan.tables.target));
      const recorded = (await tx.query(ledgerInsertSql("postgres", plan.tables, plan.ledger, loaded, distinctRows))).rowCount;
      if (recorded !== 1) throw new EtlError("INTERNAL", `the ledger row of run ${request.runId} was not written (${recorded} rows); rolled back`);
      return { outcome: "loaded", loadedBy: request.runId, loaded, alreadyPresent: (distinctRows ?? plan.cleanRows) - loaded };
    });
  }

  async query(sql: string): Promise<QueryResult> {
    const { columns, rows } = await this.session.readOnlyQuery(sql);
    return { columns, rows };
  }

  close(): Promise<void> {
    return this.session.close();
  }

  /** Copies every part into the stage, then checks the stage holds exactly the clean rows. */
  private async stageParts(tx: PostgresTransaction, plan: LoadPlan, parts: readonly LoadPart[], signal?: AbortSignal): Promise<void> {
    let staged = 0;
    for (const part of parts) {
      signal?.throwIfAborted();
      try {
        staged += await tx.stageCsv(plan.tables, decompressed(this.readPart(part.url), plan.compression, part.url), part.url);
      } catch (error) {
        throw stagingError(part.url, error);
      }
    }
    signal?.throwIfAborted();
    if (staged !== plan.cleanRows) {
      throw new EtlError("INVARIANT_BROKEN", `the clean parts staged ${staged} rows, the run counted ${plan.cleanRows}; rolled back, nothing was loaded`);
    }
  }
}

/**
 * Why staging a part failed, keeping an EtlError's code and line, and Postgres's context line
 * (e.g. `COPY cti_etl_stage, line 3`).
 */
function stagingError(url: string, error: unknown): EtlError {
  const where = (error as { where?: unknown }).where;
  const context = typeof where === "string" && where ? ` (${where.length > 200 ? `${where.slice(0, 200)}…` : where})` : "";
  const detail = `${(error as Error).message}${context}`;
  const code = error instanceof EtlError ? error.code : "LOAD_FAILED";
  const location = error instanceof EtlError ? { ...error.location, file: url } : { file: url };
  return new EtlError(code, `warehouse load failed staging ${url}: ${detail}; rolled back, nothing was loaded`, location, { cause: error });
}

/**
 * Gives a target created before `row_hash` its column and index, in the load's transaction
 * (under the ledger lock, so two loads never migrate at once; rolled back with a failed load).
 * Returns true when the target has the column but not the index (a target this load created):
 * the caller builds the index after the insert ({@link buildIndexAfterInsert}).
 */
async function ensureRowHash(tx: PostgresTransaction, plan: LoadPlan): Promise<boolean> {
  const target = plan.tables.target;
  const hasColumn = (await tx.query(rowHashColumnLookupSql("postgres", target))).rows.length > 0;
  if (!hasColumn) for (const sql of rowHashMigrationSql("postgres", target, plan.rowHash)) await tx.query(sql);
  // The migration ends by creating the index; otherwise look it up.
  const indexPresent = !hasColumn || (await tx.query(rowHashIndexLookupSql(target))).rows[0]?.[0] === true;
  return buildIndexAfterInsert(hasColumn, indexPresent);
}

async function findPriorLoad(db: Pick<PostgresTransaction, "query">, plan: LoadPlan): Promise<PriorLoad> {
  const { rows } = await db.query(priorLoadsSql("postgres", plan.tables, plan.ledger.runId, plan.fingerprint));
  return decidePriorLoad(priorLoadRows(rows), plan.ledger.runId, plan.fingerprint);
}
