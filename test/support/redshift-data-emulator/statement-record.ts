/**
 * What the emulator knows about one Data API statement (single or batch) and the pure rules
 * of its status machine: which status a DescribeStatement shows given the statuses the
 * statement actually went through, so SUBMITTED -> PICKED -> STARTED -> FINISHED|FAILED|ABORTED
 * unfolds over several polls however fast PGlite ran it.
 */
import type { SqlParameter } from "./translate.ts";

export type StatementStatus = "SUBMITTED" | "PICKED" | "STARTED" | "FINISHED" | "ABORTED" | "FAILED";
export type ExecutionMode = "TRANSACTION" | "AUTO_COMMIT";

/** A result set as PGlite returned it: column types by name, values as Postgres text. */
export interface StatementResult {
  columns: Array<{ name: string; typeName: string }>;
  rows: Array<Array<string | null>>;
}

/** One SQL statement: the only one of an ExecuteStatement, or one of a batch. */
export interface SubStatement {
  /** `<statement id>:<n>` (n from 1); a single statement's only sub-statement has the statement's id. */
  id: string;
  sql: string;
  status: StatementStatus;
  error?: string;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  endedAt?: number;
  /** Rows returned or affected; -1 until finished. */
  resultRows: number;
  hasResultSet: boolean;
  result?: StatementResult;
  redshiftQueryId: number;
}

/** Where and how a statement was asked to run (echoed by the API). */
export interface StatementRequest {
  database: string;
  workgroupName?: string;
  clusterIdentifier?: string;
  dbUser?: string;
  secretArn?: string;
  statementName?: string;
  parameters: SqlParameter[];
  executionMode: ExecutionMode;
  clientToken?: string;
}

export interface StatementRecord {
  id: string;
  isBatch: boolean;
  subStatements: SubStatement[];
  status: StatementStatus;
  /** Every status the statement reached, in order, starting with SUBMITTED. */
  history: StatementStatus[];
  error?: string;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  endedAt?: number;
  request: StatementRequest;
  redshiftPid: number;
  /** DescribeStatement's position in `history`; see {@link nextShownStatus}. */
  shown: ShownCursor;
  /** Aborted by CancelStatement or by stopping the emulator. */
  abort: AbortController;
  /** Resolves once the statement reached a terminal status. */
  settled: Promise<void>;
  markSettled: () => void;
}

export interface ShownCursor {
  /** Index into the statement's history. */
  index: number;
  /** DescribeStatement calls that showed `history[index]`. */
  polls: number;
}

export const TERMINAL_STATUSES: ReadonlySet<StatementStatus> = new Set(["FINISHED", "ABORTED", "FAILED"]);

export function isTerminal(status: StatementStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/** Order of the lifecycle; every terminal status ranks last. */
export function statusRank(status: StatementStatus): number {
  return { SUBMITTED: 0, PICKED: 1, STARTED: 2, FINISHED: 3, ABORTED: 3, FAILED: 3 }[status];
}

/**
 * One DescribeStatement poll: the status it shows and the cursor after it. Each status the
 * statement went through is shown by at least `pollsPerStatus` polls before the next one;
 * the cursor never passes the statement's actual status. `pollsPerStatus` 0 shows the actual
 * status at once.
 */
export function nextShownStatus(
  history: readonly StatementStatus[],
  cursor: ShownCursor,
  pollsPerStatus: number,
): { status: StatementStatus; cursor: ShownCursor } {
  const last = history.length - 1;
  if (pollsPerStatus <= 0) return { status: history[last]!, cursor: { index: last, polls: cursor.polls + 1 } };
  let { index, polls } = cursor;
  if (polls >= pollsPerStatus && index < last) {
    index++;
    polls = 0;
  }
  return { status: history[index]!, cursor: { index, polls: polls + 1 } };
}

/** The status a statement shows without polling (GetStatementResult, sub-statements). */
export function currentShownStatus(record: Pick<StatementRecord, "history" | "shown">, pollsPerStatus: number): StatementStatus {
  if (pollsPerStatus <= 0) return record.history.at(-1)!;
  return record.history[record.shown.index]!;
}

/**
 * A sub-statement's shown status: never further along than its statement's shown status,
 * so a batch that still shows STARTED does not show FINISHED sub-statements.
 */
export function shownSubStatus(sub: StatementStatus, statementShown: StatementStatus): StatementStatus {
  if (isTerminal(statementShown)) return sub;
  return statusRank(sub) <= statusRank(statementShown) ? sub : statementShown;
}

/** Moves a statement or sub-statement to `status`, recording the time (and history). */
export function setStatus(target: SubStatement | StatementRecord, status: StatementStatus, now = Date.now()): void {
  if (target.status === status) return;
  target.status = status;
  target.updatedAt = now;
  if (status === "STARTED") target.startedAt = now;
  if (isTerminal(status)) target.endedAt = now;
  if ("history" in target) target.history.push(status);
}
