/**
 * `cti-etl status`: the last runs of the ledger as a table for a terminal (pure). One row per
 * run, newest first: when it finished (UTC), the run id, its input, the counts, what it loaded,
 * how long it took, its outcome. The ledger records runs whose load committed; failed runs are
 * in the logs, the metrics and the alarms, not here.
 */
import type { LedgerRun } from "../load/ledger-history.ts";

/** Widest the INPUT column gets before it is cut with `…`. */
export const MAX_INPUT_WIDTH = 48;

interface Column {
  title: string;
  align: "left" | "right";
  cell: (run: LedgerRun) => string;
}

const columns: readonly Column[] = [
  { title: "FINISHED (UTC)", align: "left", cell: (r) => r.finishedAt.toISOString().slice(0, 19).replace("T", " ") },
  { title: "RUN", align: "left", cell: (r) => r.runId },
  { title: "INPUT", align: "left", cell: (r) => cut(summarizeInputs(r.inputs), MAX_INPUT_WIDTH) },
  { title: "READ", align: "right", cell: (r) => count(r.rowsRead) },
  { title: "CLEAN", align: "right", cell: (r) => count(r.clean) },
  { title: "DUPLICATE", align: "right", cell: (r) => count(r.duplicates) },
  { title: "REJECTED", align: "right", cell: (r) => count(r.rejected) },
  { title: "LOADED", align: "right", cell: (r) => count(r.loaded) },
  { title: "PRESENT", align: "right", cell: (r) => count(r.alreadyPresent) },
  { title: "DURATION", align: "right", cell: (r) => formatDuration(r.finishedAt.getTime() - r.startedAt.getTime()) },
  { title: "OUTCOME", align: "left", cell: (r) => r.status },
];

/** The table, header first, one line per run (in the order given), ending in a newline. */
export function formatStatusReport(runs: readonly LedgerRun[]): string {
  if (runs.length === 0) return "No runs in the ledger yet.\n";
  const cells = runs.map((run) => columns.map((c) => c.cell(run)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]!.align === "right" ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.title)), ...cells.map(line)].join("\n") + "\n";
}

/**
 * The ledger's `inputs` text in a few words: the first URI and how many more
 * (`s3://in/a.csv +2`), or `N inputs` when the ledger kept only the count.
 */
export function summarizeInputs(inputsText: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(inputsText);
  } catch {
    return inputsText;
  }
  if (Array.isArray(parsed)) {
    const first = parsed[0] as { uri?: unknown } | undefined;
    if (!first || typeof first.uri !== "string") return parsed.length === 0 ? "(none)" : inputsText;
    return parsed.length > 1 ? `${first.uri} +${parsed.length - 1}` : first.uri;
  }
  if (parsed && typeof parsed === "object" && typeof (parsed as { count?: unknown }).count === "number") {
    return `${(parsed as { count: number }).count} inputs`;
  }
  return inputsText;
}

/** `850ms`, `12.3s`, `4m 05s`, `2h 03m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, "0")}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, "0")}m`;
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}
