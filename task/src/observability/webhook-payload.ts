/**
 * The generic webhook's JSON body for a run (pure): every outcome, with its counts, load,
 * anomaly verdict and failure. `text` is a one-line summary, so chat incoming webhooks (Slack,
 * Mattermost, Teams workflows) that show `text` can take it as is.
 */
import { redact } from "./redact.ts";
import type { RunOutcome } from "./run-outcome.ts";

/** Version of the body's shape; receivers can switch on it. */
export const WEBHOOK_SCHEMA = "cti-etl.run.v1";

/** The body. */
export interface WebhookPayload {
  schema: typeof WEBHOOK_SCHEMA;
  text: string;
  job: string;
  runId: string;
  status: RunOutcome["status"];
  taskArn?: string;
  input?: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  counts?: RunOutcome["counts"];
  load?: RunOutcome["load"];
  stageDurationsMs?: RunOutcome["stageDurationsMs"];
  anomaly?: { anomalous: boolean; reasons: string[] };
  failure?: { code: string; message: string };
  skippedBecause?: string;
}

/** The body for an outcome, secrets redacted. */
export function webhookPayloadFor(outcome: RunOutcome, job: string, taskArn?: string): WebhookPayload {
  const payload: WebhookPayload = {
    schema: WEBHOOK_SCHEMA,
    text: summaryText(outcome, job),
    job,
    runId: outcome.runId,
    status: outcome.status,
    ...(taskArn ? { taskArn } : {}),
    ...(outcome.input !== undefined ? { input: outcome.input } : {}),
    startedAt: outcome.startedAt,
    finishedAt: outcome.finishedAt,
    durationMs: outcome.durationMs,
    ...(outcome.counts ? { counts: outcome.counts } : {}),
    ...(outcome.load ? { load: outcome.load } : {}),
    ...(outcome.stageDurationsMs ? { stageDurationsMs: outcome.stageDurationsMs } : {}),
    ...(outcome.anomaly ? { anomaly: { anomalous: outcome.anomaly.anomalous, reasons: outcome.anomaly.reasons.map((r) => r.message) } } : {}),
    ...(outcome.status === "failed" ? { failure: outcome.failure } : {}),
    ...(outcome.status === "skipped" ? { skippedBecause: outcome.reason } : {}),
  };
  return redact(payload) as WebhookPayload;
}

/** e.g. `cti-etl prod: run 20261126T104512Z-ab12 succeeded in 12.3 s: 10,000 read, 9,870 loaded, 100 rejected`. */
export function summaryText(outcome: RunOutcome, job: string): string {
  const head = `cti-etl ${job}: run ${outcome.runId} ${outcome.status} in ${(outcome.durationMs / 1000).toFixed(1)} s`;
  const parts: string[] = [];
  if (outcome.counts) parts.push(`${n(outcome.counts.rowsRead)} read`);
  if (outcome.load) parts.push(`${n(outcome.load.loaded)} loaded`);
  if (outcome.counts) parts.push(`${n(outcome.counts.rejected)} rejected`);
  if (outcome.anomaly?.anomalous) parts.push("ANOMALOUS");
  if (outcome.status === "failed") parts.push(`${outcome.failure.code}: ${outcome.failure.message}`);
  if (outcome.status === "skipped") parts.push(outcome.reason);
  return parts.length ? `${head}: ${parts.join(", ")}` : head;
}

function n(value: number): string {
  return value.toLocaleString("en-US");
}
