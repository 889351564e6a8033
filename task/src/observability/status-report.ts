/**
 * `cti-etl status`: the last runs of the ledger as a table for a terminal (pure). One row per
 * run, newest first: when it finished (UTC), the run id, its input, the counts, what it loaded,
 * how long it took, its outcome; above it, the trend at a glance: sparklines of the rows read
 * and of the rejected ratio, oldest run on the left. The ledger records runs whose load
 * committed; failed runs are in the logs, the metrics and the alarms, not here.
 */
import type { LedgerRun } from "../load/ledger-history.ts";
import { formatCount, formatDuration, formatPercent, sparkline } from "../cli/terminal-format.ts";

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
  { title: "READ", align: "right", cell: (r) => formatCount(r.rowsRead) },
  { title: "CLEAN", align: "right", cell: (r) => formatCount(r.clean) },
  { title: "DUPLICATE", align: "right", cell: (r) => formatCount(r.duplicates) },
  { title: "REJECTED", align: "right", cell: (r) => formatCount(r.rejected) },
  { title: "LOADED", align: "right", cell: (r) => formatCount(r.loaded) },
  { title: "PRESENT", align: "right", cell: (r) => formatCount(r.alreadyPresent) },
  { title: "DURATION", align: "right", cell: (r) => formatDuration(r.finishedAt.getTime() - r.startedAt.getTime()) },
  { title: "OUTCOME", align: "left", cell: (r) => r.status },
];

/** The rejected share of the rows read; NaN for a run that read nothing. */
export function rejectedRatio(run: Pick<LedgerRun, "rejected" | "rowsRead">): number {
  return run.rowsRead > 0 ? run.rejected / run.rowsRead : NaN;
}

/**
 * The trend of `runs` (newest first, as the ledger gives them): one line each for the rows read
 * and the rejected ratio, a sparkline drawn oldest to newest, then the lowest, highest and
 * latest value. Pure.
 */
export function formatTrend(runs: readonly LedgerRun[]): string {
  const oldestFirst = [...runs].reverse();
  const series: [string, number[], (n: number) => string][] = [
    ["rows read", oldestFirst.map((r) => r.rowsRead), formatCount],
    ["rejected", oldestFirst.map(rejectedRatio), formatPercent],
  ];
  const lines = series.map(([name, values, show]) => {
    const finite = values.filter(Number.isFinite);
    const figures = finite.length ? `  min ${show(Math.min(...finite))}  max ${show(Math.max(...finite))}  last ${show(values.at(-1)!)}` : "";
    return `  ${name.padEnd(10)} ${sparkline(values)}${figures}`;
  });
  return [`Last ${runs.length === 1 ? "run" : `${runs.length} runs`}, oldest to newest:`, ...lines].join("\n") + "\n";
}

/** The trend, a blank line, then the table: header first, one line per run (in the order given), ending in a newline. */
export function formatStatusReport(runs: readonly LedgerRun[]): string {
  if (runs.length === 0) return "No runs in the ledger yet.\n";
  return `${formatTrend(runs)}\n${formatRunTable(runs)}`;
}

/** The table alone: header first, one line per run (in the order given), ending in a newline. */
export function formatRunTable(runs: readonly LedgerRun[]): string {
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


function cut(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}
