/**
 * Turns a Data API statement that ended FAILED or ABORTED into an error a user can act on:
 * Redshift's own message, and which statement of the batch (by step name) it was.
 * @see https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_DescribeStatement.html
 * @see https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_SubStatementData.html
 */
import { EtlError } from "../errors.ts";

/** The parts of a DescribeStatement answer this reads. */
export interface DescribedStatement {
  Id?: string;
  Status?: string;
  Error?: string;
  SubStatements?: Array<{ Id?: string; Status?: string; Error?: string; ResultRows?: number }>;
}

/** Where and why a statement failed. */
export interface StatementFailure {
  /** 1-based position of the failing statement in its batch (1 for a single statement). */
  position: number;
  /** The step name at that position, when known. */
  step?: string;
  /** FAILED or ABORTED. */
  status: string;
  /** Redshift's message, e.g. `ERROR: relation "x" does not exist`. */
  error: string;
}

/**
 * Finds the failing statement: the first sub-statement FAILED (else ABORTED), or the statement
 * itself. `steps` names the batch's statements in order.
 */
export function statementFailure(described: DescribedStatement, steps: readonly string[]): StatementFailure {
  const subs = described.SubStatements ?? [];
  const index = [subs.findIndex((s) => s.Status === "FAILED"), subs.findIndex((s) => s.Status === "ABORTED")].find((i) => i >= 0);
  const sub = index === undefined ? undefined : subs[index];
  const position = index === undefined ? 1 : index + 1;
  const step = steps[position - 1];
  return {
    position,
    ...(step === undefined ? {} : { step }),
    status: sub?.Status ?? described.Status ?? "FAILED",
    error: sub?.Error || described.Error || "(Redshift gave no message)",
  };
}

/**
 * The error of a statement that ended FAILED or ABORTED: Redshift rolled its transaction back.
 */
export function statementFailedError(failure: StatementFailure, total: number, statementId: string | undefined): EtlError {
  const which = `statement ${failure.position} of ${total}${failure.step ? ` (${failure.step})` : ""}`;
  return new EtlError(
    "LOAD_FAILED",
    `warehouse: Redshift ${which} ended ${failure.status}: ${failure.error}` +
      `${statementId ? ` [statement ${statementId}]` : ""}; its transaction was rolled back, nothing was written`,
  );
}
