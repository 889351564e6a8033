/**
 * What a run ended as, for everything that reports on it: metrics (`emf.ts`), notifications
 * (`pagerduty-event.ts`, `webhook-payload.ts`) and the log. Plain data, built by the composition
 * root from the job's summary, the warehouse's load result and the error it caught.
 */
import type { RecordCounts } from "../records/record-counts.ts";
import type { AnomalyVerdict } from "./anomaly.ts";

/** How the warehouse load went (absent when the run did not get that far). */
export interface LoadReport {
  /** `loaded`, or `already-loaded` when the input was loaded by an earlier run. */
  outcome: "loaded" | "already-loaded";
  /** New rows inserted into the target. */
  loaded: number;
  /** Clean rows of this run that the target already had. */
  alreadyPresent: number;
}

/** Facts every outcome may carry. */
export interface RunFacts {
  runId: string;
  /** ISO 8601, e.g. `2026-11-26T10:45:12.000Z`. */
  startedAt: string;
  /** ISO 8601. */
  finishedAt: string;
  /** Wall time of the whole run, ms. */
  durationMs: number;
  /** The input the run was started on, e.g. `s3://bucket/input/`. */
  input?: string;
  /** The transform's counts, once it finished. */
  counts?: RecordCounts;
  /** The load, once it finished. */
  load?: LoadReport;
  /** Wall time of each stage that ran, ms, e.g. `{ transform: 8100, load: 2300 }`. */
  stageDurationsMs?: Readonly<Record<string, number>>;
  /** The check against history, when it ran. */
  anomaly?: AnomalyVerdict;
}

/** The failure of a failed run, as logged and notified (message already user-facing). */
export interface RunFailure {
  /** Stable code, e.g. `BAD_HEADER`, `ANOMALOUS_DATA`, `INTERNAL`. */
  code: string;
  message: string;
}

/**
 * - `succeeded`: transformed and loaded (or found already loaded).
 * - `failed`: stopped by an error; nothing or everything was loaded, never half.
 * - `skipped`: did not start because another run holds the lease.
 */
export type RunOutcome =
  | ({ status: "succeeded" } & RunFacts)
  | ({ status: "failed"; failure: RunFailure } & RunFacts)
  | ({ status: "skipped"; reason: string } & RunFacts);

/** The failure for an error caught by the composition root: its `code` when it has one. */
export function runFailure(error: unknown): RunFailure {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === "string" && code !== "" ? code : "INTERNAL", message: error.message };
  }
  return { code: "INTERNAL", message: String(error) };
}
