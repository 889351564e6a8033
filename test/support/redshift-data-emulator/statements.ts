/**
 * The statement registry: creates statements (honouring ClientToken idempotency), runs them
 * one at a time through a queue (PGlite is a single connection), moves them through
 * SUBMITTED -> PICKED -> STARTED -> FINISHED|FAILED|ABORTED asynchronously, and answers what
 * DescribeStatement, GetStatementResult and CancelStatement need.
 */
import { randomUUID } from "node:crypto";
import { runStatement, type RunnerContext } from "./pglite-runner.ts";
import {
  currentShownStatus,
  isTerminal,
  nextShownStatus,
  setStatus,
  shownSubStatus,
  type StatementRecord,
  type StatementRequest,
  type StatementStatus,
  type SubStatement,
} from "./statement-record.ts";

/** How statuses unfold; see `RedshiftDataEmulatorOptions`. */
export interface StatusTiming {
  pollsPerStatus: number;
  statusDelayMs: number;
}

/** A read-only view of a statement, for assertions in tests. */
export interface StatementSnapshot {
  id: string;
  isBatch: boolean;
  /** Actual status (DescribeStatement may still show an earlier one). */
  status: StatementStatus;
  error?: string;
  sqls: string[];
  subStatements: Array<{ id: string; sql: string; status: StatementStatus; error?: string; resultRows: number }>;
  request: StatementRequest;
  createdAt: Date;
}

/** What tests of the product can see of the statements the emulator received. */
export interface StatementLog {
  /** Every statement received, oldest first. */
  list(): StatementSnapshot[];
  /** A statement by id (a sub-statement id gives its statement), or undefined. */
  get(id: string): StatementSnapshot | undefined;
  /** Resolves once every statement received so far has ended (a hanging one must be cancelled first). */
  idle(): Promise<void>;
}

/** Looked-up statement, and the sub-statement when the id had a `:n` suffix. */
export interface Found {
  statement: StatementRecord;
  sub?: SubStatement;
}

export class StatementRegistry implements StatementLog {
  private readonly statements = new Map<string, StatementRecord>();
  private readonly byClientToken = new Map<string, StatementRecord>();
  private queue: Promise<void> = Promise.resolve();
  private nextQueryId = 1_000;
  private nextPid = 1_073_000_000;
  private stopping = false;

  constructor(
    private readonly runner: RunnerContext,
    private readonly timing: StatusTiming,
  ) {}

  /**
   * Registers and queues a statement; with a ClientToken seen before (for the same
   * operation), returns the statement created then and runs nothing.
   */
  submit(operation: string, sqls: readonly string[], isBatch: boolean, request: StatementRequest): StatementRecord {
    const tokenKey = request.clientToken === undefined ? undefined : `${operation}\u0000${request.clientToken}`;
    const earlier = tokenKey === undefined ? undefined : this.byClientToken.get(tokenKey);
    if (earlier) return earlier;
    const id = randomUUID();
    const now = Date.now();
    let markSettled!: () => void;
    const settled = new Promise<void>((resolve) => (markSettled = resolve));
    const record: StatementRecord = {
      id,
      isBatch,
      subStatements: sqls.map((sql, i) => ({
        id: isBatch ? `${id}:${i + 1}` : id,
        sql,
        status: "SUBMITTED",
        createdAt: now,
        updatedAt: now,
        resultRows: -1,
        hasResultSet: false,
        redshiftQueryId: this.nextQueryId++,
      })),
      status: "SUBMITTED",
      history: ["SUBMITTED"],
      createdAt: now,
      updatedAt: now,
      request,
      redshiftPid: this.nextPid++,
      shown: { index: 0, polls: 0 },
      abort: new AbortController(),
      settled,
      markSettled,
    };
    this.statements.set(id, record);
    if (tokenKey !== undefined) this.byClientToken.set(tokenKey, record);
    this.queue = this.queue.then(() => this.execute(record)).catch(() => undefined);
    return record;
  }

  /** A statement by id, or by sub-statement id `<id>:<n>`. */
  find(id: string): Found | undefined {
    const m = /^(.*?)(?::(\d+))?$/.exec(id)!;
    const statement = this.statements.get(m[1]!);
    if (!statement) return undefined;
    if (m[2] === undefined) return { statement };
    if (!statement.isBatch) return undefined;
    const sub = statement.subStatements[Number(m[2]) - 1];
    return sub ? { statement, sub } : undefined;
  }

  /** A DescribeStatement poll: advances what the statement shows, returns the shown status. */
  poll(statement: StatementRecord): StatementStatus {
    const next = nextShownStatus(statement.history, statement.shown, this.timing.pollsPerStatus);
    statement.shown = next.cursor;
    return next.status;
  }

  /** The status shown without polling. */
  shownStatus(statement: StatementRecord): StatementStatus {
    return currentShownStatus(statement, this.timing.pollsPerStatus);
  }

  /** A sub-statement's shown status (never ahead of its statement's). */
  shownSubStatus(statement: StatementRecord, sub: SubStatement): StatementStatus {
    return shownSubStatus(sub.status, this.shownStatus(statement));
  }

  /**
   * Cancels a statement that has not ended: a queued one is ABORTED at once, a running or
   * hanging one is aborted and rolled back. Resolves to whether it ended ABORTED.
   */
  async cancel(statement: StatementRecord): Promise<boolean> {
    statement.abort.abort();
    if (statement.status === "SUBMITTED") this.finish(statement, "ABORTED", "Query cancelled on user's request before it started");
    await statement.settled;
    return statement.status === "ABORTED";
  }

  list(): StatementSnapshot[] {
    return [...this.statements.values()].map(snapshot);
  }

  get(id: string): StatementSnapshot | undefined {
    const found = this.find(id);
    return found ? snapshot(found.statement) : undefined;
  }

  async idle(): Promise<void> {
    let tail: Promise<void>;
    do {
      tail = this.queue;
      await tail;
    } while (tail !== this.queue);
  }

  /** Aborts every statement not yet ended and waits for the queue to drain. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const statement of this.statements.values()) {
      if (!isTerminal(statement.status)) {
        statement.abort.abort();
        if (statement.status === "SUBMITTED") this.finish(statement, "ABORTED", "Emulator stopped");
      }
    }
    await this.idle();
  }

  private async execute(statement: StatementRecord): Promise<void> {
    if (isTerminal(statement.status)) return;
    if (this.stopping) return this.finish(statement, "ABORTED", "Emulator stopped");
    setStatus(statement, "PICKED");
    await sleep(this.timing.statusDelayMs, statement.abort.signal);
    setStatus(statement, "STARTED");
    const outcome = await runStatement(statement, this.runner).catch((error: unknown) => ({
      status: "FAILED" as const,
      error: `ERROR: emulator failure: ${String(error)}`,
    }));
    if (outcome.status !== "ABORTED") await sleep(this.timing.statusDelayMs, statement.abort.signal);
    this.finish(statement, outcome.status, outcome.error);
  }

  private finish(statement: StatementRecord, status: StatementStatus, error?: string): void {
    if (isTerminal(statement.status)) return;
    if (status === "ABORTED") for (const sub of statement.subStatements) if (!isTerminal(sub.status)) setStatus(sub, "ABORTED");
    if (error !== undefined && status !== "FINISHED") statement.error = error;
    setStatus(statement, status);
    statement.markSettled();
  }
}

function snapshot(s: StatementRecord): StatementSnapshot {
  return {
    id: s.id,
    isBatch: s.isBatch,
    status: s.status,
    ...(s.error === undefined ? {} : { error: s.error }),
    sqls: s.subStatements.map((sub) => sub.sql),
    subStatements: s.subStatements.map((sub) => ({
      id: sub.id,
      sql: sub.sql,
      status: sub.status,
      ...(sub.error === undefined ? {} : { error: sub.error }),
      resultRows: sub.resultRows,
    })),
    request: { ...s.request, parameters: [...s.request.parameters] },
    createdAt: new Date(s.createdAt),
  };
}

/** Waits `ms` (0: not at all), cut short when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
