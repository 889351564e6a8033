/**
 * How long to wait before the next DescribeStatement: capped exponential backoff with jitter.
 * Statements that finish fast are seen soon; long ones are polled at most every `maxMs`, and
 * the jitter keeps concurrent pollers from calling in step.
 * @see https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/
 */
import { EtlError } from "../errors.ts";

export interface PollBackoff {
  /** Ceiling of the first wait, ms. Default {@link DEFAULT_POLL_BACKOFF}. Example: 250. */
  initialMs: number;
  /** Ceiling of every wait, ms. Example: 5000. */
  maxMs: number;
}

/** 200 ms doubling to 5 s: Data API statements take at least a few hundred ms. */
export const DEFAULT_POLL_BACKOFF: PollBackoff = { initialMs: 200, maxMs: 5_000 };

/**
 * The wait before poll number `attempt` (0 = the first poll after submitting): the ceiling is
 * `min(maxMs, initialMs · 2^attempt)`, and the wait is drawn uniformly from its upper half
 * ("equal jitter"), so it never drops near zero and never passes `maxMs`.
 * @param random a number in [0, 1), e.g. `Math.random`.
 */
export function pollDelayMs(attempt: number, backoff: PollBackoff, random: () => number): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 52));
  return ceiling / 2 + (ceiling / 2) * random();
}

/**
 * Checks the options.
 * @throws EtlError USAGE unless 0 < initialMs ≤ maxMs, both finite.
 */
export function checkPollBackoff(backoff: PollBackoff): PollBackoff {
  const { initialMs, maxMs } = backoff;
  if (!(Number.isFinite(initialMs) && Number.isFinite(maxMs) && initialMs > 0 && initialMs <= maxMs)) {
    throw new EtlError("USAGE", `polling backoff needs 0 < initial (${initialMs} ms) <= max (${maxMs} ms)`);
  }
  return backoff;
}
