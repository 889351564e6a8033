/**
 * A run's progress on stderr, in the manner of dbt (one line per step with its time) and of a
 * progress bar per stage. The lines are pure functions of what the run reported (tested
 * alone); {@link RunProgressView} only decides when to draw them.
 *
 * Two modes:
 * - `live` (stderr is a terminal): one status line redrawn in place (`\r`, erase line) at most
 *   every 100 ms, with a bar; a finished stage prints its line above it; log lines written
 *   through {@link RunProgressView.log} erase the status line, print, and redraw it, so they
 *   never tear it.
 * - `lines` (`--progress` when stderr is not a terminal): no control characters at all; a
 *   status line at most once a second and each finished stage's line, each a line of its own.
 *
 * No library: `cli-progress` and `listr2` are not among the project's dependencies, and the
 * view needs exactly one status line that log lines can interleave with, which is a few lines of
 * code (see the report of issue 14).
 */
import type { Progress } from "../run/transform-and-publish.ts";
import type { RecordCounts } from "../records/record-counts.ts";
import type { StageEvent } from "../observability/run-observer.ts";
import { dotLeader, formatCount, formatDuration, formatPercent, plural, progressBar } from "./terminal-format.ts";

/** Columns a stage's name is padded to, so the figures after it line up. */
const NAME_WIDTH = 10;
/** Cells of a bar. */
export const BAR_WIDTH = 24;
/** Widest a finished stage's line is laid out to (dots included). */
export const LINE_WIDTH = 96;

/** The transform's status: bar of input bytes, percent, rows, rows/s, ETA. Pure. */
export function formatTransformProgress(p: Progress, elapsedMs: number, barWidth = BAR_WIDTH): string {
  const seconds = Math.max(elapsedMs / 1000, 1e-3);
  const rate = p.rowsRead / seconds;
  const fraction = p.totalBytes > 0 ? Math.min(p.bytesRead / p.totalBytes, 1) : 0;
  const eta = fraction > 0 ? (elapsedMs * (1 - fraction)) / fraction : NaN;
  return [
    "transform".padEnd(NAME_WIDTH),
    progressBar(fraction, barWidth),
    formatPercent(fraction).padStart(6),
    plural(p.rowsRead, "row"),
    `${formatCount(rate)} rows/s`,
    `ETA ${formatDuration(eta)}`,
  ].join("  ");
}

/** Where the load is, as far as the terminal can tell. */
export type LoadProgress =
  /** Between the transform and the load: opening the warehouse, checking the run against history. */
  | { phase: "opening"; warehouse: string }
  /**
   * Staging the clean parts: `stagedBytes` of their `totalBytes` (compressed) read by the
   * warehouse (Postgres reads them itself; Redshift's COPY reads them in the cluster, so there it
   * stays 0), `cleanRows` rows in all.
   */
  | { phase: "staging"; stagedBytes: number; totalBytes: number; cleanRows: number; table: string };

/** The load's status: the warehouse being opened, or a bar of parts staged and the rows so far. Pure. */
export function formatLoadProgress(l: LoadProgress, elapsedMs: number, barWidth = BAR_WIDTH): string {
  const elapsed = formatDuration(elapsedMs);
  if (l.phase === "opening") return `${"warehouse".padEnd(NAME_WIDTH)}  opening ${l.warehouse}, checking the run against history…  ${elapsed}`;
  const name = "load".padEnd(NAME_WIDTH);
  if (l.totalBytes <= 0 || l.stagedBytes <= 0) return `${name}  staging ${plural(l.cleanRows, "row")} into ${l.table}…  ${elapsed}`;
  const fraction = Math.min(l.stagedBytes / l.totalBytes, 1);
  if (fraction >= 1) {
    return `${name}  ${progressBar(1, barWidth)}  staged ${plural(l.cleanRows, "row")}, inserting the new ones into ${l.table}…  ${elapsed}`;
  }
  const staged = Math.floor(fraction * l.cleanRows);
  return `${name}  ${progressBar(fraction, barWidth)}  ${formatPercent(fraction).padStart(6)}  staged ~${formatCount(staged)} of ${plural(l.cleanRows, "row")}  ${elapsed}`;
}

/** One finished step, dbt's way: `transform  what it did ....... [OK in 0.36s]`. Pure. */
export function formatStageLine(name: string, what: string, failed: boolean, durationMs: number, width = LINE_WIDTH): string {
  return dotLeader(`${name.padEnd(NAME_WIDTH)}  ${what}`, `[${failed ? "ERROR after" : "OK in"} ${formatDuration(durationMs)}]`, width);
}

/** What the transform did, in a few words. Pure. */
export function describeTransform(c: RecordCounts): string {
  return `${plural(c.rowsRead, "row")} read: ${formatCount(c.clean)} clean, ${formatCount(c.duplicates)} ${c.duplicates === 1 ? "duplicate" : "duplicates"}, ${formatCount(c.rejected)} rejected`;
}

/** What the load did: what it staged, inserted and found already present. Pure. */
export function describeLoad(l: { outcome: "loaded" | "already-loaded"; loaded: number; alreadyPresent: number; loadedBy?: string }, table: string): string {
  if (l.outcome === "already-loaded") return `already loaded by run ${l.loadedBy ?? "?"}: nothing new added to ${table}`;
  return `${formatCount(l.loaded + l.alreadyPresent)} staged, ${formatCount(l.loaded)} inserted into ${table}, ${formatCount(l.alreadyPresent)} already present`;
}

/** A summary as the transform stage hands it over (checked at run time: the event's result is `unknown`). */
function asCounts(value: unknown): (RecordCounts & { parts?: { bytes: number }[] }) | undefined {
  const v = value as Partial<RecordCounts> | undefined;
  return v && typeof v.rowsRead === "number" && typeof v.clean === "number" ? (v as RecordCounts) : undefined;
}

function asLoad(value: unknown): { outcome: "loaded" | "already-loaded"; loaded: number; alreadyPresent: number; loadedBy?: string } | undefined {
  const v = value as { outcome?: unknown; loaded?: unknown; alreadyPresent?: unknown } | undefined;
  return v && (v.outcome === "loaded" || v.outcome === "already-loaded") && typeof v.loaded === "number" && typeof v.alreadyPresent === "number"
    ? (v as { outcome: "loaded" | "already-loaded"; loaded: number; alreadyPresent: number })
    : undefined;
}

/** Where the view draws: stderr. `columns` (a terminal's width) cuts the status line so it never wraps. */
export interface ProgressStream {
  write(text: string): unknown;
  columns?: number;
}

/** How a {@link RunProgressView} is built. */
export interface RunProgressViewOptions {
  /** `true`: redraw one status line in place (a terminal). `false`: plain lines, no control characters. */
  live: boolean;
  /** The warehouse, for people (e.g. `embedded PGlite in .cti-etl/warehouse`); absent: no load. */
  warehouse?: string;
  /** The target table. */
  table?: string;
  /** Least time between two status lines, ms. Default 100 live, 1000 in lines. */
  intervalMs?: number;
  /** The clock, ms. Default `Date.now`. */
  now?: () => number;
}

const ERASE_LINE = "\r\x1b[2K";

/**
 * Draws a run's progress: fed by the transform's progress callback, the observer's stage
 * events and the bytes the warehouse reads of the clean parts. Call {@link close} once the run
 * ends (it erases the status line and stops the redraw timer).
 */
export class RunProgressView {
  private readonly live: boolean;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private status: ((elapsedMs: number) => string) | undefined;
  private statusSince = 0;
  private drawn = false;
  private lastDraw = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private transformEndedAt: number | undefined;
  private staging: Extract<LoadProgress, { phase: "staging" }> | undefined;
  private pending: { cleanRows: number; totalBytes: number } | undefined;

  /** A log sink writing above the status line (give it to the logger). */
  readonly log: { write(text: string): unknown };

  constructor(
    private readonly stream: ProgressStream,
    private readonly options: RunProgressViewOptions,
  ) {
    this.live = options.live;
    this.intervalMs = options.intervalMs ?? (options.live ? 100 : 1000);
    this.now = options.now ?? Date.now;
    this.log = { write: (text: string) => this.print(text) };
    if (this.live) {
      // Keeps the elapsed time moving while a stage reports nothing (opening the warehouse, the insert).
      this.timer = setInterval(() => this.draw(false), this.intervalMs);
      this.timer.unref();
    }
  }

  /** The transform's progress callback. */
  transform(p: Progress): void {
    if (!this.status) this.setStatus((ms) => formatTransformProgress(this.lastProgress ?? p, ms));
    this.lastProgress = p;
    this.draw(false);
  }
  private lastProgress: Progress | undefined;

  /** The observer's stage events (`RunObserverDeps.onStage`). */
  stage(event: StageEvent): void {
    const t = this.now();
    const table = this.options.table ?? "the table";
    if (event.phase === "started") {
      if (event.stage === "transform") this.setStatus((ms) => formatTransformProgress(this.lastProgress ?? { bytesRead: 0, totalBytes: 0, rowsRead: 0 }, ms));
      if (event.stage === "load") {
        const staging = (this.staging = { phase: "staging", stagedBytes: 0, ...(this.pending ?? { cleanRows: 0, totalBytes: 0 }), table });
        this.setStatus((ms) => formatLoadProgress(staging, ms));
        if (this.transformEndedAt !== undefined && this.options.warehouse) {
          this.printLine(formatStageLine("warehouse", `opened ${this.options.warehouse}, run checked against history`, false, t - this.transformEndedAt));
        }
      }
      this.draw(true);
      return;
    }
    const failed = event.failed;
    // The next status first, so the line printed above it is followed by the right one.
    if (event.stage === "transform") {
      const counts = asCounts(event.result);
      this.transformEndedAt = t;
      if (counts) this.pending = { cleanRows: counts.clean, totalBytes: (counts.parts ?? []).reduce((n, p) => n + p.bytes, 0) };
      const warehouse = this.options.warehouse;
      this.setStatus(!failed && warehouse ? (ms) => formatLoadProgress({ phase: "opening", warehouse }, ms) : undefined);
      this.printLine(formatStageLine("transform", counts ? describeTransform(counts) : "failed", failed, event.durationMs));
    } else if (event.stage === "load") {
      const load = asLoad(event.result);
      this.staging = undefined;
      this.setStatus(undefined);
      this.printLine(formatStageLine("load", load ? describeLoad(load, table) : "failed, rolled back", failed, event.durationMs));
    } else {
      this.printLine(formatStageLine(event.stage, failed ? "failed" : "done", failed, event.durationMs));
    }
  }

  /** Bytes of clean parts the warehouse has read (wrap its part reader with {@link countReads}). */
  partBytes(n: number): void {
    if (!this.staging) return;
    this.staging.stagedBytes += n;
    this.draw(false);
  }

  /** Erases the status line and stops redrawing; the stream is the caller's again. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.erase();
    this.status = undefined;
  }

  private setStatus(status: ((elapsedMs: number) => string) | undefined): void {
    this.status = status;
    this.statusSince = this.now();
    if (!status) this.erase();
  }

  /** Writes `text` (whole lines) above the status line. */
  private print(text: string): void {
    this.erase();
    this.write(text);
    this.draw(true);
  }

  private printLine(line: string): void {
    this.print(line + "\n");
  }

  private draw(force: boolean): void {
    if (!this.status) return;
    const t = this.now();
    if (!force && t - this.lastDraw < this.intervalMs) return;
    if (!this.live && force) return; // in lines mode, status lines come at their interval only
    this.lastDraw = t;
    const line = this.status(t - this.statusSince);
    if (this.live) {
      const columns = this.stream.columns && this.stream.columns > 10 ? this.stream.columns - 1 : 0;
      this.write(ERASE_LINE + (columns ? [...line].slice(0, columns).join("") : line));
      this.drawn = true;
    } else this.write(line + "\n");
  }

  private erase(): void {
    if (this.live && this.drawn) this.write(ERASE_LINE);
    this.drawn = false;
  }

  private write(text: string): void {
    try {
      this.stream.write(text);
    } catch {
      // A closed stderr loses the progress, not the run.
    }
  }
}

/**
 * A part reader that reports the bytes it hands over: the view's load bar counts what the
 * Postgres warehouse has staged. Works on any `(url) => AsyncIterable<Uint8Array>`.
 */
export function countReads<R extends (url: string) => AsyncIterable<Uint8Array>>(reader: R, onBytes: (n: number) => void): (url: string) => AsyncIterable<Uint8Array> {
  return (url) => {
    const source = reader(url);
    return (async function* () {
      for await (const chunk of source) {
        onBytes(chunk.byteLength);
        yield chunk;
      }
    })();
  };
}

