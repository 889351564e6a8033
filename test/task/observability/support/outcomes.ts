/** Run outcomes for the observability tests. */
import type { RunOutcome } from "../../../../task/src/observability/run-outcome.ts";

export const facts = {
  runId: "20261126T104512Z-ab12",
  startedAt: "2026-11-26T10:45:12.000Z",
  finishedAt: "2026-11-26T10:45:24.500Z",
  durationMs: 12_500,
  input: "s3://cti-in/input/",
};

export const counts = {
  rowsRead: 1000,
  clean: 940,
  duplicates: 40,
  rejected: 20,
  rejectedByReason: { "Field `Key` is required": 15, "Record is empty": 5 },
};

export function succeeded(extra: Partial<RunOutcome> = {}): RunOutcome {
  return {
    status: "succeeded",
    ...facts,
    counts,
    load: { outcome: "loaded", loaded: 900, alreadyPresent: 40 },
    stageDurationsMs: { transform: 8000, load: 4000 },
    ...extra,
  } as RunOutcome;
}

export function failed(code = "BAD_HEADER", message = "the header has no Key column"): RunOutcome {
  return { status: "failed", ...facts, failure: { code, message } };
}

export function skipped(): RunOutcome {
  return { status: "skipped", ...facts, durationMs: 30, reason: "the lease is held by run 20261126T104000Z-zz99" };
}
