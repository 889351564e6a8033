import { EtlError } from "../errors.ts";

/**
 * The run's own deadline. ECS has no task timeout, so the job enforces one: when it passes, the
 * signal aborts with a `DEADLINE_EXCEEDED` error; whatever watches the signal (Data API
 * statements, uploads) cancels, and the job exits non-zero, which raises the failure alert.
 *
 * `CTI_DEADLINE_SECONDS` sets it (its range is in config/environment.ts).
 */

/** Time and timers of a deadline; the default is the system's, with timers that do not keep the process alive. */
export interface DeadlineClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

const systemClock: DeadlineClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** A started deadline. */
export interface RunDeadline {
  /** Aborts at the deadline with an `EtlError` coded `DEADLINE_EXCEEDED`. */
  readonly signal: AbortSignal;
  /** The instant it passes, ms since the epoch. */
  readonly deadlineAt: number;
  /** Milliseconds left (0 once passed). */
  remainingMs(): number;
  /** Disarms it (the run finished in time). */
  cancel(): void;
}

/** The error a run stops with at its deadline. */
export function deadlineExceeded(seconds: number, deadlineAt: number): EtlError {
  return new EtlError(
    "DEADLINE_EXCEEDED",
    `the run passed its deadline of ${seconds} s (at ${new Date(deadlineAt).toISOString()}); work in flight was cancelled and nothing more was loaded. Raise CTI_DEADLINE_SECONDS if runs this long are expected`,
  );
}

/** Starts a deadline `seconds` from now. */
export function startDeadline(seconds: number, clock: DeadlineClock = systemClock): RunDeadline {
  if (!(seconds > 0)) throw new RangeError(`a deadline must be positive (was ${seconds})`);
  const controller = new AbortController();
  const deadlineAt = clock.now() + seconds * 1000;
  const timer = clock.setTimeout(() => controller.abort(deadlineExceeded(seconds, deadlineAt)), seconds * 1000);
  return {
    signal: controller.signal,
    deadlineAt,
    remainingMs: () => Math.max(0, deadlineAt - clock.now()),
    cancel: () => clock.clearTimeout(timer),
  };
}

/**
 * One signal for everything that stops a run: it aborts when the first of `signals` does
 * (deadline, lost lease, SIGTERM), with that signal's reason. Unset signals are skipped;
 * `undefined` when none is set.
 */
export function stopSignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const set = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (set.length === 0) return undefined;
  return set.length === 1 ? set[0] : AbortSignal.any(set);
}
