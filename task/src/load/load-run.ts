import { MANIFEST_FILE } from "../run/transform-and-publish.ts";
import type { RunOutput } from "../sinks/run-output.ts";
import type { RunSummary } from "../run/summary.ts";
import type { LoadRequest, LoadResult } from "./warehouse.ts";

/** Name of the file recording the load's outcome beside `summary.json`. */
export const LOAD_FILE = "load.json";

/** The summary printed after a load: the run's summary plus what the load did. */
export interface LoadedSummary extends RunSummary {
  /** New rows inserted into the target. */
  loaded: number;
  /** Clean rows of this run that the target already held. */
  alreadyPresent: number;
  /** `loaded`, or `already-loaded` when this input was loaded before. */
  loadOutcome: LoadResult["outcome"];
  /** The run whose load put these rows in the table (this run, or an earlier one). */
  loadedBy: string;
  /** Where the rows went, e.g. `embedded PGlite in .cti-etl/warehouse`, and the table. */
  warehouse: string;
  table: string;
}

/** The warehouse's load request for a published run. Pure. */
export function loadRequestFor(summary: RunSummary, output: Pick<RunOutput, "urlOf">, table: string): LoadRequest {
  return {
    runId: summary.runId,
    table,
    inputs: summary.inputs.map(({ uri, etag, sha256, bytes }) => ({ uri, sha256, bytes, ...(etag ? { etag } : {}) })),
    counts: {
      rowsRead: summary.rowsRead,
      clean: summary.clean,
      duplicates: summary.duplicates,
      rejected: summary.rejected,
      rejectedByReason: summary.rejectedByReason,
    },
    startedAt: summary.startedAt,
    manifestUrl: output.urlOf(MANIFEST_FILE),
    parts: summary.parts.map((p) => ({ url: output.urlOf(p.relPath), rows: p.rows, bytes: p.bytes })),
  };
}

/** The summary with the load's outcome. Pure. */
export function withLoad(summary: RunSummary, result: LoadResult, warehouse: string, table: string): LoadedSummary {
  return {
    ...summary,
    loaded: result.loaded,
    alreadyPresent: result.alreadyPresent,
    loadOutcome: result.outcome,
    loadedBy: result.loadedBy,
    warehouse,
    table,
  };
}
