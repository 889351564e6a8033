/**
 * The Redshift warehouse, through the Data API: reads like its steps. Setup (create tables,
 * find earlier loads of this input) is one batch; the load (lock, stage, COPY, check, insert new
 * rows, ledger row) is another, run by Redshift as one transaction.
 */
import { EtlError } from "../errors.ts";
import { clientToken } from "./client-token.ts";
import { DataApiStatements, resultRowsAt, subStatementId, systemClock, type Clock, type DataApiSender, type StatementBudget } from "./data-api-statements.ts";
import { configuredBackoff, dataApiTarget, DEFAULT_LOAD_DEADLINE_MS, type RedshiftWarehouseConfig } from "./data-api-target.ts";
import { priorLoadsSql } from "./ledger-sql.ts";
import { alreadyLoaded, planLoad, type LoadPlan } from "./load-plan.ts";
import { checkPollBackoff, DEFAULT_POLL_BACKOFF } from "./poll-backoff.ts";
import { decidePriorLoad, priorLoadRows, type PriorLoad } from "./prior-load.ts";
import { redshiftLoadBatch, redshiftSetupBatch, type BatchStep } from "./redshift-batches.ts";
import { rowHashMigrationNeeded, type RowHashSql } from "./row-hash-sql.ts";
import { schemaLookupSql, schemaToEnsure } from "./table-ddl.ts";
import type { LoadRequest, LoadResult, QueryResult, Warehouse } from "./warehouse.ts";

export interface RedshiftWarehouseDeps {
  /** The Data API client (or a double around one). */
  client: DataApiSender;
  /** Called by `close()`, e.g. the client's `destroy`. Default: nothing. */
  release?: () => void;
  /** Default: the system clock. */
  clock?: Clock;
  /** After a deadline's CancelStatement, how long to wait for the statement to end, ms. Default 30 s. */
  cancelGraceMs?: number;
  /** The SQL of a row's hash. Default `md5RowHash`; tests pass a tiny one to force collisions. */
  rowHash?: RowHashSql;
}

export class RedshiftWarehouse implements Warehouse {
  private readonly statements: DataApiStatements;
  private readonly clock: Clock;
  private readonly deadlineMs: number;

  constructor(
    private readonly config: RedshiftWarehouseConfig,
    private readonly deps: RedshiftWarehouseDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.deadlineMs = config.deadlineMs ?? DEFAULT_LOAD_DEADLINE_MS;
    this.statements = new DataApiStatements(deps.client, {
      target: dataApiTarget(config),
      backoff: checkPollBackoff(configuredBackoff(config, DEFAULT_POLL_BACKOFF)),
      clock: this.clock,
      ...(deps.cancelGraceMs === undefined ? {} : { cancelGraceMs: deps.cancelGraceMs }),
    });
  }

  async load(request: LoadRequest, signal?: AbortSignal): Promise<LoadResult> {
    const plan = planLoad(request, "redshift", this.deps.rowHash);
    const loadBatch = redshiftLoadBatch(plan, request.manifestUrl, this.config.copyRoleArn);
    const budget = this.budget(signal);
    const { prior, hasRowHash } = await this.setUp(plan, request, budget);
    if (prior.kind === "already-loaded") return alreadyLoaded(prior.loadedBy, plan);
    if (!hasRowHash) throw rowHashMigrationNeeded(plan.tables.target, plan.rowHash);
    const done = await this.runBatch(loadBatch, clientToken("load", request, plan.fingerprint), budget);
    const loaded = resultRowsAt(done, stepIndex(loadBatch, "insert-new-rows"));
    const ledgerRows = resultRowsAt(done, stepIndex(loadBatch, "insert-ledger-row"));
    if (ledgerRows === 0) return this.lostRace(plan, request, budget);
    const alreadyPresent = plan.rowsMayRepeat
      ? Number((await this.statements.rows(subStatementId(done, stepIndex(loadBatch, "read-already-present")))).rows[0]![0])
      : plan.cleanRows - loaded;
    return { outcome: "loaded", loadedBy: request.runId, loaded, alreadyPresent };
  }

  async query(sql: string): Promise<QueryResult> {
    const described = await this.statements.execute(sql, "query", undefined, this.budget());
    return described.HasResultSet ? this.statements.rows(described.Id!) : { columns: [], rows: [] };
  }

  async close(): Promise<void> {
    this.deps.release?.();
  }

  /**
   * Creates the schema and tables if missing, asks the ledger about this input and run id, and
   * whether the target has its `row_hash` column.
   * Tried twice: two first loads creating the same new table at once can collide in the
   * catalog, and the second try finds the table there (a fresh ClientToken, or the failed batch
   * would be answered).
   */
  private async setUp(plan: LoadPlan, request: LoadRequest, budget: StatementBudget): Promise<{ prior: PriorLoad; hasRowHash: boolean }> {
    const setup = redshiftSetupBatch(plan, request.runId, await this.missingSchema(plan, budget));
    const done = await this.runBatch(setup, clientToken("setup", request, plan.fingerprint), budget).catch((error: unknown) => {
      if (!(error instanceof EtlError) || error.code === "DEADLINE_EXCEEDED" || budget.signal?.aborted) throw error;
      return this.runBatch(setup, clientToken("setup-retry", request, plan.fingerprint), budget);
    });
    const found = await this.statements.rows(subStatementId(done, stepIndex(setup, "find-prior-loads")));
    const column = await this.statements.rows(subStatementId(done, stepIndex(setup, "find-row-hash-column")));
    return { prior: decidePriorLoad(priorLoadRows(found.rows), request.runId, plan.fingerprint), hasRowHash: column.rows.length > 0 };
  }

  /** The tables' schema when it must be created (not `public`, not there yet); a read, so no ClientToken. */
  private async missingSchema(plan: LoadPlan, budget: StatementBudget): Promise<string | undefined> {
    const schema = schemaToEnsure(plan.tables);
    if (schema === undefined) return undefined;
    const done = await this.statements.execute(schemaLookupSql("redshift", schema), "find-schema", undefined, budget);
    return (await this.statements.rows(done.Id!)).rows.length === 0 ? schema : undefined;
  }

  /**
   * The load's guards inserted nothing: a load of the same input committed between the setup's
   * look and this load's lock. Reads the ledger again for that run's id.
   */
  private async lostRace(plan: LoadPlan, request: LoadRequest, budget: StatementBudget): Promise<LoadResult> {
    const sql = priorLoadsSql("redshift", plan.tables, request.runId, plan.fingerprint);
    const done = await this.statements.execute(sql, "recheck-prior-loads", clientToken("recheck", request, plan.fingerprint), budget);
    const prior = decidePriorLoad(priorLoadRows((await this.statements.rows(done.Id!)).rows), request.runId, plan.fingerprint);
    if (prior.kind !== "already-loaded") {
      throw new EtlError("INTERNAL", `the load of run ${request.runId} inserted no ledger row, yet the ledger holds no load of its input`);
    }
    return alreadyLoaded(prior.loadedBy, plan);
  }

  private runBatch(steps: readonly BatchStep[], token: string, budget: StatementBudget) {
    return this.statements.batch(
      steps.map((s) => s.sql),
      steps.map((s) => s.step),
      token,
      budget,
    );
  }

  private budget(signal?: AbortSignal): StatementBudget {
    return { deadlineAt: this.clock.now() + this.deadlineMs, deadlineMs: this.deadlineMs, ...(signal ? { signal } : {}) };
  }
}

function stepIndex(steps: readonly BatchStep[], step: string): number {
  const index = steps.findIndex((s) => s.step === step);
  if (index < 0) throw new EtlError("INTERNAL", `no step ${step} in the batch`);
  return index;
}
