/**
 * PagerDuty Events API v2 events for a run (pure): `trigger` when a run fails, `resolve` when
 * one succeeds, both under one dedup key per job, so a job has at most one open alert and the
 * next good run closes it. A resolve with no open alert is dropped by PagerDuty, so every
 * success sends one and the task keeps no state.
 * @see https://developer.pagerduty.com/docs/send-alert-event
 */
import { redact } from "./redact.ts";
import type { RunOutcome } from "./run-outcome.ts";

/** The Events API v2 endpoint. EU accounts use `https://events.eu.pagerduty.com/v2/enqueue`. */
export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

/** Severities PagerDuty accepts. */
export type PagerDutySeverity = "critical" | "error" | "warning" | "info";

/** PagerDuty's limits on the dedup key and the summary. */
export const MAX_DEDUP_KEY_LENGTH = 255;
export const MAX_SUMMARY_LENGTH = 1024;

/** An event as the API takes it. */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: "trigger" | "resolve";
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp: string;
    component: string;
    group: string;
    class: string;
    custom_details: Record<string, unknown>;
  };
}

/** The one dedup key of a job's alerts: `cti-etl/<job>`, cut to PagerDuty's 255 characters. */
export function pagerDutyDedupKey(job: string): string {
  return `cti-etl/${job}`.slice(0, MAX_DEDUP_KEY_LENGTH);
}

/**
 * The event for an outcome: `trigger` for a failed run, `resolve` for a succeeded one, none for
 * a skipped one (the run holding the lease reports for itself).
 * @param source where the failure is: the task ARN on ECS, else the job.
 */
export function pagerDutyEventFor(
  outcome: RunOutcome,
  options: { routingKey: string; severity: PagerDutySeverity; job: string; source?: string },
): PagerDutyEvent | undefined {
  const dedup_key = pagerDutyDedupKey(options.job);
  if (outcome.status === "succeeded") return { routing_key: options.routingKey, event_action: "resolve", dedup_key };
  if (outcome.status !== "failed") return undefined;
  const failure = redact(outcome.failure) as { code: string; message: string };
  return {
    routing_key: options.routingKey,
    event_action: "trigger",
    dedup_key,
    payload: {
      summary: truncate(`cti-etl ${options.job}: run ${outcome.runId} failed: ${failure.code}: ${failure.message}`, MAX_SUMMARY_LENGTH),
      source: options.source ?? `cti-etl/${options.job}`,
      severity: options.severity,
      timestamp: outcome.finishedAt,
      component: "cti-etl",
      group: options.job,
      class: failure.code,
      custom_details: redact({
        runId: outcome.runId,
        input: outcome.input,
        startedAt: outcome.startedAt,
        durationMs: outcome.durationMs,
        counts: outcome.counts,
        anomaly: outcome.anomaly?.anomalous ? outcome.anomaly.reasons : undefined,
      }) as Record<string, unknown>,
    },
  };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
