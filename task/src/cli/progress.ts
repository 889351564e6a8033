import type { Progress } from "../run/transform-and-publish.ts";
import type { RunSummary } from "../run/summary.ts";

/** One progress line: rows, rows/s, percent of bytes, ETA. Pure, for tests. */
export function formatProgress(p: Progress, elapsedMs: number): string {
  const seconds = Math.max(elapsedMs / 1000, 1e-3);
  const rate = p.rowsRead / seconds;
  const fraction = p.totalBytes > 0 ? Math.min(p.bytesRead / p.totalBytes, 1) : 0;
  const eta = fraction > 0 ? (seconds * (1 - fraction)) / fraction : NaN;
  return (
    `${p.rowsRead.toLocaleString("en-US")} rows  ${Math.round(rate).toLocaleString("en-US")} rows/s  ` +
    `${(fraction * 100).toFixed(1)}%  ETA ${Number.isFinite(eta) ? formatDuration(eta * 1000) : "?"}`
  );
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** The readable end-of-run summary for a terminal. */
export function formatReadableSummary(s: RunSummary): string {
  const n = (x: number) => x.toLocaleString("en-US");
  const lines = [
    `run ${s.runId} succeeded in ${formatDuration(s.durationMs)}`,
    `  read       ${n(s.rowsRead)} rows from ${s.inputs.length} input(s)`,
    `  clean      ${n(s.clean)} in ${s.parts.length} part(s)`,
    `  duplicates ${n(s.duplicates)}`,
    `  rejected   ${n(s.rejected)}`,
    ...Object.entries(s.rejectedByReason).map(([reason, count]) => `    ${n(count).padStart(10)}  ${reason}`),
    `  output     ${s.output}`,
  ];
  return lines.join("\n");
}

/** Redraws one status line on a terminal, at most every `intervalMs`. */
export function terminalProgress(stream: NodeJS.WriteStream, intervalMs = 250): { update(p: Progress): void; done(): void } {
  const started = Date.now();
  let last = 0;
  return {
    update(p) {
      const t = Date.now();
      if (t - last < intervalMs) return;
      last = t;
      stream.write(`\r\x1b[2K${formatProgress(p, t - started)}`);
    },
    done() {
      stream.write("\r\x1b[2K");
    },
  };
}
