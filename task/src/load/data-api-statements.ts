/**
 * Thin adapter over the Redshift Data API: submit a statement or a batch (with a ClientToken),
 * poll DescribeStatement with backoff until it ends, cancel it at the deadline, read results.
 * Calls only {@link REDSHIFT_WAREHOUSE_ACTIONS}. The decisions (backoff, failure messages,
 * tokens) are pure functions in their own files.
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/data-api-calling.html
 */
import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type DescribeStatementCommandOutput,
  type RedshiftDataClient,
} from "@aws-sdk/client-redshift-data";
import { EtlError } from "../errors.ts";
import { fieldValue } from "./data-api-fields.ts";
import type { DataApiTarget } from "./data-api-target.ts";
import { pollDelayMs, type PollBackoff } from "./poll-backoff.ts";
import { statementFailedError, statementFailure } from "./statement-failure.ts";
import type { QueryResult } from "./warehouse.ts";

/**
 * The IAM actions this adapter calls, and nothing else; a test checks they are a subset of
 * what the infra grants the task (`taskIamActions.redshiftData`).
 */
export const REDSHIFT_WAREHOUSE_ACTIONS = [
  "redshift-data:BatchExecuteStatement",
  "redshift-data:ExecuteStatement",
  "redshift-data:DescribeStatement",
  "redshift-data:GetStatementResult",
  "redshift-data:CancelStatement",
] as const;

/** The client surface used: `send` (a `RedshiftDataClient`, or a test double around one). */
export type DataApiSender = Pick<RedshiftDataClient, "send">;

/** Time and randomness, injectable for tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
    }),
};

/** How long a statement may run: until `deadlineAt`, and while `signal` has not aborted. */
export interface StatementBudget {
  /** Epoch ms past which the statement is cancelled. */
  deadlineAt: number;
  /** The deadline's length, for the message. */
  deadlineMs: number;
  signal?: AbortSignal;
}

export interface DataApiStatementsOptions {
  target: DataApiTarget;
  backoff: PollBackoff;
  clock: Clock;
  /** After CancelStatement, how long to keep polling for the statement to end, ms. Default 30 s. */
  cancelGraceMs?: number;
}

const TERMINAL = new Set(["FINISHED", "FAILED", "ABORTED"]);

export class DataApiStatements {
  private readonly cancelGraceMs: number;

  constructor(
    private readonly client: DataApiSender,
    private readonly options: DataApiStatementsOptions,
  ) {
    this.cancelGraceMs = options.cancelGraceMs ?? 30_000;
  }

  /**
   * Runs `sqls` as one transaction (BatchExecuteStatement) and waits for it to finish.
   * @param steps the name of each statement, for errors.
   * @throws EtlError with Redshift's message and the failing step when it ends FAILED or ABORTED;
   *   DEADLINE_EXCEEDED when the budget ran out (the statement is cancelled first).
   */
  async batch(sqls: readonly string[], steps: readonly string[], clientToken: string, budget: StatementBudget): Promise<DescribeStatementCommandOutput> {
    this.checkBudget(budget);
    const { Id } = await this.client.send(
      new BatchExecuteStatementCommand({ ...this.options.target, Sqls: [...sqls], ClientToken: clientToken }),
      { abortSignal: budget.signal },
    );
    return this.finish(required(Id, "BatchExecuteStatement"), steps, budget);
  }

  /** Runs one statement (ExecuteStatement) and waits for it to finish; errors as {@link batch}. */
  async execute(sql: string, step: string, clientToken: string | undefined, budget: StatementBudget): Promise<DescribeStatementCommandOutput> {
    this.checkBudget(budget);
    const { Id } = await this.client.send(
      new ExecuteStatementCommand({ ...this.options.target, Sql: sql, ...(clientToken ? { ClientToken: clientToken } : {}) }),
      { abortSignal: budget.signal },
    );
    return this.finish(required(Id, "ExecuteStatement"), [step], budget);
  }

  /** Every row of a finished statement's result (GetStatementResult, all pages). */
  async rows(statementId: string): Promise<QueryResult> {
    const result: QueryResult = { columns: [], rows: [] };
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new GetStatementResultCommand({ Id: statementId, NextToken: nextToken }));
      if (result.columns.length === 0) result.columns = (page.ColumnMetadata ?? []).map((c) => c.name ?? c.label ?? "");
      for (const record of page.Records ?? []) result.rows.push(record.map(fieldValue));
      nextToken = page.NextToken;
    } while (nextToken);
    return result;
  }

  private checkBudget(budget: StatementBudget): void {
    budget.signal?.throwIfAborted();
    if (this.options.clock.now() >= budget.deadlineAt) throw deadlineError(budget, undefined, undefined);
  }

  /** Polls until the statement ends; cancels it when the budget runs out first. */
  private async finish(id: string, steps: readonly string[], budget: StatementBudget): Promise<DescribeStatementCommandOutput> {
    const { clock, backoff } = this.options;
    for (let attempt = 0; ; attempt++) {
      const described = await this.describe(id);
      if (TERMINAL.has(described.Status ?? "")) return this.outcome(described, id, steps);
      const wait = pollDelayMs(attempt, backoff, () => clock.random());
      const left = budget.deadlineAt - clock.now();
      await clock.sleep(Math.min(wait, Math.max(left, 0)), budget.signal);
      if (budget.signal?.aborted || clock.now() >= budget.deadlineAt) return this.cancel(id, steps, budget);
    }
  }

  private outcome(described: DescribeStatementCommandOutput, id: string, steps: readonly string[]): DescribeStatementCommandOutput {
    if (described.Status === "FINISHED") return described;
    throw statementFailedError(statementFailure(described, steps), steps.length, id);
  }

  /**
   * CancelStatement, then polls (within the grace period) for the statement to end. If it
   * FINISHED after all (it committed before the cancel arrived), that is the truth and is
   * returned; otherwise the load fails with DEADLINE_EXCEEDED, or the abort reason.
   * @see https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_CancelStatement.html
   */
  private async cancel(id: string, steps: readonly string[], budget: StatementBudget): Promise<DescribeStatementCommandOutput> {
    const { clock, backoff } = this.options;
    let cancelError: unknown;
    try {
      await this.client.send(new CancelStatementCommand({ Id: id }));
    } catch (error) {
      // A statement that already ended cannot be cancelled (ValidationException); its status says how it ended.
      cancelError = error;
    }
    const graceEnd = clock.now() + this.cancelGraceMs;
    let described: DescribeStatementCommandOutput | undefined;
    for (let attempt = 0; clock.now() < graceEnd; attempt++) {
      described = await this.describe(id);
      if (TERMINAL.has(described.Status ?? "")) break;
      await clock.sleep(Math.min(pollDelayMs(attempt, backoff, () => clock.random()), Math.max(graceEnd - clock.now(), 0)));
    }
    if (described?.Status === "FINISHED") return described;
    if (described?.Status === "FAILED") return this.outcome(described, id, steps);
    const reason = budget.signal?.aborted ? budget.signal.reason : undefined;
    if (reason instanceof Error) throw reason;
    throw deadlineError(budget, id, described?.Status ?? (cancelError ? `unknown (CancelStatement failed: ${String(cancelError)})` : "still ending"));
  }

  private describe(id: string): Promise<DescribeStatementCommandOutput> {
    return this.client.send(new DescribeStatementCommand({ Id: id }));
  }
}

/** The `ResultRows` of the batch's statement at `index` (0-based), or of a single statement. */
export function resultRowsAt(described: DescribeStatementCommandOutput, index: number): number {
  const rows = described.SubStatements ? described.SubStatements[index]?.ResultRows : described.ResultRows;
  if (rows === undefined || rows < 0) throw new EtlError("INTERNAL", `Redshift reported no row count for statement ${index + 1} of ${described.Id}`);
  return rows;
}

/** The id of the batch's statement at `index` (0-based), for GetStatementResult. */
export function subStatementId(described: DescribeStatementCommandOutput, index: number): string {
  return described.SubStatements?.[index]?.Id ?? `${described.Id}:${index + 1}`;
}

function deadlineError(budget: StatementBudget, id: string | undefined, status: string | undefined): EtlError {
  const what = id ? `; statement ${id} was cancelled (now ${status}), so its transaction rolls back and nothing is written` : "";
  return new EtlError("DEADLINE_EXCEEDED", `warehouse: passed the deadline of ${budget.deadlineMs} ms${what}`);
}

function required(id: string | undefined, operation: string): string {
  if (!id) throw new EtlError("INTERNAL", `${operation} returned no statement Id`);
  return id;
}
