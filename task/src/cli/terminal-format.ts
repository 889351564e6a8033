/**
 * The small pieces every terminal view is drawn from (pure): durations, counts, sizes, a
 * progress bar and a sparkline. One definition of each, so the progress lines, the run's
 * summary and `cti-etl status` show a duration or a count the same way.
 */

/**
 * A duration for a person: `850ms`, `4.9s`, `4m 05s`, `2h 03m`; `?` when unknown (negative,
 * NaN, infinite). Tenths are cut, not rounded, so `59.96s` never shows as `60.0s`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, "0")}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, "0")}m`;
}

/** A count with thousands separators: `1,000,000`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** `1 row`, `2 rows`: the count and the noun, plural unless the count is 1. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${formatCount(n)} ${n === 1 ? noun : nouns}`;
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const;

/** A size in binary units, three significant figures: `512 B`, `205 KiB`, `63.9 MiB`, `1.20 GiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "?";
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${value} B`;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** A ratio as a percent with one decimal: `0.0072` → `0.7%`. */
export function formatPercent(ratio: number): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)}%` : "?";
}

/** The eighths of a cell, for a bar drawn with sub-cell precision. */
const BAR_EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"] as const;

/**
 * A progress bar `width` cells wide for `fraction` (clamped to 0–1): full cells `█`, one
 * partial cell in eighths, the rest `·`, so it is always exactly `width` characters.
 */
export function progressBar(fraction: number, width: number): string {
  const f = Number.isFinite(fraction) ? Math.min(Math.max(fraction, 0), 1) : 0;
  const eighths = Math.floor(f * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = BAR_EIGHTHS[eighths % 8]!;
  const filled = "█".repeat(full) + partial;
  return filled + "·".repeat(width - full - (partial ? 1 : 0));
}

/** The sparkline's levels, lowest to highest. */
export const SPARK_LEVELS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] as const;

/**
 * A sparkline of `values` in order, one character each, scaled from their minimum (`▁`) to
 * their maximum (`█`); when every value is the same, a flat line of `▄`. A value that is not a
 * finite number (a ratio of a run that read no rows) is a blank.
 */
export function sparkline(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return " ".repeat(values.length);
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const top = SPARK_LEVELS.length - 1;
  return values
    .map((v) => {
      if (!Number.isFinite(v)) return " ";
      if (max === min) return SPARK_LEVELS[3];
      return SPARK_LEVELS[Math.round(((v - min) / (max - min)) * top)]!;
    })
    .join("");
}

/**
 * `text`, then dots, then `tail`, to `width` columns (dbt's `… [OK in 0.36s]`); when `text` is
 * too long the dots shrink to three and the line runs over rather than cutting a figure.
 */
export function dotLeader(text: string, tail: string, width: number): string {
  const dots = Math.max(3, width - [...text].length - [...tail].length - 2);
  return `${text} ${".".repeat(dots)} ${tail}`;
}
