/**
 * Notifications at the end of a run, each optional and configured by the environment:
 * - heartbeat: `GET` a URL after each successful run, for a dead man's switch (healthchecks.io,
 *   Cronitor, Dead Man's Snitch…) that alerts when pings stop;
 * - PagerDuty: a `trigger` on failure, a `resolve` on success (see `pagerduty-event.ts`);
 * - webhook: `POST` the run's JSON (see `webhook-payload.ts`) for every outcome.
 * What to send is decided by {@link notificationPlan} (pure); {@link sendNotifications} sends
 * them side by side with timeouts and bounded retries. A notification that fails is logged and
 * never fails the run: this never throws.
 */
import type { Dispatcher } from "undici";
import { sendHttp, type HttpCall } from "./http-call.ts";
import type { RetryPolicy } from "./http-retry.ts";
import type { Logger } from "./logger.ts";
import { pagerDutyEventFor, type PagerDutySeverity } from "./pagerduty-event.ts";
import { urlOrigin } from "./redact.ts";
import type { RunOutcome } from "./run-outcome.ts";
import { webhookPayloadFor } from "./webhook-payload.ts";

/** PagerDuty settings. */
export interface PagerDutyConfig {
  /** Integration (routing) key of an Events API v2 integration. A secret. */
  routingKey: string;
  /** Severity of trigger events. Default `error`. */
  severity: PagerDutySeverity;
  /** Events API endpoint. Default `https://events.pagerduty.com/v2/enqueue`. */
  url: string;
}

/** Which notifications are on, and how hard to try. */
export interface NotificationConfig {
  /** Pinged (`GET`) after each successful run. Treat as a secret: anyone with it can ping. */
  heartbeatUrl?: string;
  pagerDuty?: PagerDutyConfig;
  /** Receives a `POST` of the run's JSON after every run. Treat as a secret. */
  webhookUrl?: string;
  /** Timeout and retries of each notification. */
  retry: RetryPolicy;
}

// Defined beside the policy (no undici there): the settings read it at every start, `--version` too.
export { DEFAULT_NOTIFY_RETRY } from "./http-retry.ts";

export type NotificationChannel = "heartbeat" | "pagerduty" | "webhook";

/** One notification to send. */
export interface PlannedNotification {
  channel: NotificationChannel;
  /** What the log says of it, e.g. `trigger` for PagerDuty. */
  action: string;
  call: HttpCall;
}

/** How one went. */
export interface NotificationResult {
  channel: NotificationChannel;
  action: string;
  /** Origin of the URL (never the URL: it may hold a secret). */
  target: string;
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

const USER_AGENT = "cti-etl/0.1.0";
const jsonHeaders = { "content-type": "application/json", "user-agent": USER_AGENT };

/** The notifications an outcome calls for, given what is configured. */
export function notificationPlan(config: NotificationConfig, outcome: RunOutcome, job: string, taskArn?: string): PlannedNotification[] {
  const plan: PlannedNotification[] = [];
  if (config.heartbeatUrl && outcome.status === "succeeded") {
    plan.push({ channel: "heartbeat", action: "ping", call: { method: "GET", url: config.heartbeatUrl, headers: { "user-agent": USER_AGENT } } });
  }
  if (config.pagerDuty) {
    const event = pagerDutyEventFor(outcome, { routingKey: config.pagerDuty.routingKey, severity: config.pagerDuty.severity, job, ...(taskArn ? { source: taskArn } : {}) });
    if (event) plan.push({ channel: "pagerduty", action: event.event_action, call: { method: "POST", url: config.pagerDuty.url, headers: jsonHeaders, body: JSON.stringify(event) } });
  }
  if (config.webhookUrl) {
    plan.push({ channel: "webhook", action: outcome.status, call: { method: "POST", url: config.webhookUrl, headers: jsonHeaders, body: JSON.stringify(webhookPayloadFor(outcome, job, taskArn)) } });
  }
  return plan;
}

/** What sending may be given. */
export interface SendDeps {
  logger: Logger;
  /** undici dispatcher. Default the global one. */
  dispatcher?: Dispatcher;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Sends every planned notification at once; logs each result; resolves when all are done. Never rejects. */
export async function sendNotifications(plan: readonly PlannedNotification[], policy: RetryPolicy, deps: SendDeps): Promise<NotificationResult[]> {
  return Promise.all(plan.map((notification) => sendOne(notification, policy, deps)));
}

async function sendOne(notification: PlannedNotification, policy: RetryPolicy, deps: SendDeps): Promise<NotificationResult> {
  const { channel, action } = notification;
  const target = urlOrigin(notification.call.url);
  try {
    const result = await sendHttp(notification.call, policy, {
      ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      ...(deps.random ? { random: deps.random } : {}),
      onRetry: (attempt, outcome, delayMs) =>
        deps.logger.debug("notification attempt failed; retrying", {
          channel,
          target,
          attempt,
          delayMs,
          ...(outcome.kind === "response" ? { status: outcome.status } : { error: outcome.message }),
        }),
    });
    if (result.ok) {
      deps.logger.info("notification sent", { channel, action, target, status: result.status, attempts: result.attempts });
      return { channel, action, target, ok: true, attempts: result.attempts, status: result.status };
    }
    deps.logger.warn("notification failed; the run's outcome stands", {
      channel,
      action,
      target,
      attempts: result.attempts,
      ...(result.status !== undefined ? { status: result.status } : {}),
      error: result.error,
    });
    return { channel, action, target, ok: false, attempts: result.attempts, ...(result.status !== undefined ? { status: result.status } : {}), error: result.error };
  } catch (error) {
    // sendHttp does not throw; this guards the promise that a notification never fails a run.
    deps.logger.warn("notification failed; the run's outcome stands", { channel, action, target, error });
    return { channel, action, target, ok: false, attempts: 0, error: String(error) };
  }
}
