/**
 * When an outgoing HTTP call (metadata, heartbeat, PagerDuty, webhook) is tried again, and
 * after how long (pure): the project's policy, which `http-call.ts` plugs into undici's retry
 * interceptor as its `retry` callback; undici does the retrying and the timing out. Retried:
 * network errors, timeouts, 408, 425, 429 and 5xx, as PagerDuty's Events API asks; never other
 * 4xx, which a retry cannot fix. Waits: full-jitter exponential backoff, or the server's
 * `Retry-After`, both capped. undici's default callback differs (no jitter; 429 and 500–504
 * only; a list of error codes that leaves out its own timeouts; no POST), hence this one.
 * @see https://developer.pagerduty.com/docs/events-api-v2-overview#response-codes--retry-logic
 * @see https://github.com/nodejs/undici/blob/main/docs/docs/api/RetryHandler.md
 */

/** Attempts, timeouts and backoff of a call. */
export interface RetryPolicy {
  /** Attempts in all, the first included (1 = no retry). Example 3. */
  maxAttempts: number;
  /**
   * Time an attempt may wait for the response headers once the request is sent, and for each
   * chunk of the body after, ms (undici's `headersTimeout` and `bodyTimeout`, which fire up to
   * {@link UNDICI_TIMER_SLACK_MS} late). Example 5000.
   */
  attemptTimeoutMs: number;
  /** First backoff, ms; doubles each retry, with full jitter. Example 250. */
  baseDelayMs: number;
  /** Longest backoff, ms, also the cap on a server's `Retry-After`. Example 5000. */
  maxDelayMs: number;
}

/** How one attempt ended. */
export type AttemptOutcome = { kind: "response"; status: number; retryAfter?: string } | { kind: "error"; message: string };

/** True for a status a retry may fix: 408, 425, 429, 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599);
}

/** True when the attempt succeeded (any 2xx). */
export function isSuccess(outcome: AttemptOutcome): boolean {
  return outcome.kind === "response" && outcome.status >= 200 && outcome.status <= 299;
}

/**
 * Milliseconds to wait before attempt `attempt + 1` after attempt `attempt` (1-based) ended as
 * `outcome`, or `undefined` to stop: it succeeded, cannot be fixed by retrying, or was the last.
 * The wait is full-jitter exponential backoff (`random() × base × 2^(attempt−1)`, capped), or
 * the server's `Retry-After` (seconds or an HTTP date) when it gives one, capped the same.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function retryDelayMs(
  attempt: number,
  outcome: AttemptOutcome,
  policy: RetryPolicy,
  random: () => number = Math.random,
  now: number = Date.now(),
): number | undefined {
  if (isSuccess(outcome) || attempt >= policy.maxAttempts) return undefined;
  if (outcome.kind === "response" && !isRetryableStatus(outcome.status)) return undefined;
  const after = outcome.kind === "response" && outcome.retryAfter !== undefined ? retryAfterMs(outcome.retryAfter, now) : undefined;
  if (after !== undefined) return Math.min(after, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/** A `Retry-After` header as ms from `now`: delay-seconds or an HTTP date; `undefined` when unreadable. */
export function retryAfterMs(header: string, now: number): number | undefined {
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * How late undici's `headersTimeout`/`bodyTimeout` may fire: they run on its fast timers, which
 * tick every 499 ms; a timer becomes active on the first tick after it is set and fires on the
 * first tick after it is due, so a limit of T ms fires by max(T + 498, 998) ms on an idle event
 * loop (measured: 300 → 1.0 s, 2000 → 2.5 s, 5000 → 5.5 s).
 * @see https://github.com/nodejs/undici/blob/main/lib/util/timers.js
 */
export const UNDICI_TIMER_SLACK_MS = 1000;

/**
 * The longest a whole call may take, ms: every attempt at its limit (plus undici's timer slack)
 * and every wait at its longest. It bounds what a per-attempt limit cannot, e.g. a server that
 * trickles its body a byte at a time. Example: 3 attempts of 5000 ms, waits ≤ 5000 ms → 28000.
 */
export function callDeadlineMs(policy: RetryPolicy): number {
  return policy.maxAttempts * (policy.attemptTimeoutMs + UNDICI_TIMER_SLACK_MS) + (policy.maxAttempts - 1) * policy.maxDelayMs;
}

/**
 * Default: 3 attempts of 5 s (undici's timers end each by ~5.5 s), backoff from 250 ms up to 5 s:
 * a silent endpoint costs the run ≤ ~27 s, and no call outlives its 28 s deadline (`callDeadlineMs`).
 */
export const DEFAULT_NOTIFY_RETRY: RetryPolicy = { maxAttempts: 3, attemptTimeoutMs: 5000, baseDelayMs: 250, maxDelayMs: 5000 };
