/**
 * The end of a run for a person (pure), in the manner of dlt's load info: what was read, what
 * came out, what was loaded where, and how long it all took. The JSON summary (stdout when it is
 * not a terminal, or with `--json`) stays the machine's record; this is its reading.
 */
import type { LoadedSummary } from "../load/load-run.ts";
import type { RunSummary } from "../run/summary.ts";
import { formatBytes, formatCount, formatDuration, plural } from "./terminal-format.ts";

/** How long the run took, as the person waited for it. */
export interface RunTiming {
  /**
   * Wall time of the command, ms: from the process's start to the end of the run, which is
   * what a person timing `cti-etl run` sees. (The summary's own `durationMs` is the transform
   * and publish only: it is written to `summary.json` before the load starts.)
   */
  wallMs: number;
  /** Wall time of each stage, ms, e.g. `{ transform: 364, load: 73 }` (the observer's). */
  stageDurationsMs: Readonly<Record<string, number>>;
}

function isLoaded(s: RunSummary | LoadedSummary): s is LoadedSummary {
  return (s as Partial<LoadedSummary>).loadOutcome !== undefined;
}

/** Labels padded to one width, so the figures line up. */
const label = (text: string) => `  ${text.padEnd(11)} `;

/** The readable end-of-run summary, without a final newline. Pure. */
export function formatReadableSummary(s: RunSummary | LoadedSummary, timing: RunTiming): string {
  const stages = Object.entries(timing.stageDurationsMs).map(([stage, ms]) => `${stage} ${formatDuration(ms)}`);
  const inputBytes = s.inputs.reduce((n, i) => n + i.bytes, 0);
  const inputs = s.inputs.length === 1 ? s.inputs[0]!.uri : `${s.inputs.length} inputs (first ${s.inputs[0]?.uri ?? "none"})`;
  const cleanBytes = s.parts.reduce((n, p) => n + p.bytes, 0);
  const reasons = Object.entries(s.rejectedByReason).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const countWidth = Math.max(0, ...reasons.map(([, n]) => formatCount(n).length));
  const lines = [
    `Run ${s.runId} succeeded in ${formatDuration(timing.wallMs)}${stages.length ? ` (${stages.join(", ")})` : ""}`,
    `${label("read")}${plural(s.rowsRead, "row")}, ${formatBytes(inputBytes)}, from ${inputs}`,
    `${label("clean")}${plural(s.clean, "row")} in ${plural(s.parts.length, "part")} (${formatBytes(cleanBytes)} compressed)`,
    `${label("duplicates")}${formatCount(s.duplicates)}`,
    `${label("rejected")}${formatCount(s.rejected)}`,
    ...reasons.map(([reason, n]) => `${" ".repeat(15)}${formatCount(n).padStart(countWidth)}  ${reason}`),
    ...loadLines(s),
    `${label("output")}${s.output}`,
  ];
  return lines.join("\n");
}

function loadLines(s: RunSummary | LoadedSummary): string[] {
  if (!isLoaded(s)) return [`${label("loaded")}not loaded: no warehouse (--warehouse none)`];
  if (s.loadOutcome === "already-loaded") {
    return [
      `${label("loaded")}nothing new: this input was loaded by run ${s.loadedBy}`,
      `${label("warehouse")}${s.table} in ${s.warehouse} (${plural(s.alreadyPresent, "row")} already present)`,
    ];
  }
  return [
    `${label("loaded")}${plural(s.loaded, "new row")} into ${s.table}, ${formatCount(s.alreadyPresent)} already present`,
    `${label("warehouse")}${s.warehouse}`,
  ];
}

/** A run that did not start because another run holds the lease, for a person. Pure. */
export function formatReadableSkip(runId: string, reason: string): string {
  return `Run ${runId} skipped: ${reason}`;
}
