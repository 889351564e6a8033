/**
 * ClientTokens for the Data API submissions of a load. The Data API answers a repeated
 * ClientToken with the statement it already created, so a submission retried after a lost
 * response, a timeout or a throttle runs once.
 *
 * A token is derived from the run (id and start time), the input fingerprint and the
 * submission's purpose: stable for every retry within the run, and different for a later
 * run, even one reusing the run id, so a rerun is not answered with an old, failed statement.
 * @see https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_BatchExecuteStatement.html#API_BatchExecuteStatement_RequestSyntax
 */
import { createHash } from "node:crypto";

/** The submissions of a load. */
export type SubmissionPurpose = "setup" | "setup-retry" | "load" | "recheck";

/** `cti-etl-<purpose>-<40 hex>`: at most 64 printable ASCII characters (the API's limit). */
export function clientToken(purpose: SubmissionPurpose, run: { runId: string; startedAt: string }, fingerprint: string): string {
  const digest = createHash("sha256").update(JSON.stringify([purpose, run.runId, run.startedAt, fingerprint])).digest("hex");
  return `cti-etl-${purpose}-${digest.slice(0, 40)}`;
}
