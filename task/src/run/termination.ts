import { EtlError } from "../errors.ts";

/**
 * ECS stops a task (`aws ecs stop-task`, a deployment, Fargate maintenance) by sending the
 * container SIGTERM, then SIGKILL once the container definition's `stopTimeout` has passed
 * (infra/task-definition.ts sets 120 s, Fargate's maximum). Without a handler Node dies at once
 * on SIGTERM: statements it submitted keep running in Redshift and may still commit, uploads
 * stay open, and the run lease stays held until it expires. With this signal the run cancels
 * what is in flight, releases the lease and exits 1, like a run past its deadline.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopTask.html
 */

/** What a termination signal listens on: `process`, or an emitter in tests. */
export interface SignalSource {
  once(event: "SIGTERM", listener: () => void): unknown;
  removeListener(event: "SIGTERM", listener: () => void): unknown;
}

/** A signal that aborts at the first SIGTERM, and how to stop listening. */
export interface Termination {
  /** Aborts with an `EtlError` coded `STOPPED`. */
  readonly signal: AbortSignal;
  /** Stops listening (the run is over; a later SIGTERM ends the process as usual). */
  dispose(): void;
}

/** Listens for SIGTERM on `source` (default: this process). */
export function onTermination(source: SignalSource = process): Termination {
  const controller = new AbortController();
  const listener = () => controller.abort(stoppedBy("SIGTERM"));
  source.once("SIGTERM", listener);
  return { signal: controller.signal, dispose: () => source.removeListener("SIGTERM", listener) };
}

/** The error a run stops with when the task is stopped. */
export function stoppedBy(signal: string): EtlError {
  return new EtlError(
    "STOPPED",
    `the task was stopped (${signal}); work in flight was cancelled and nothing more was loaded. A run that had not loaded yet can simply be run again`,
  );
}
