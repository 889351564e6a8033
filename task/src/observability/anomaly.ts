/**
 * The data check against history (pure): is this run's volume or reject rate far from the last
 * successful runs? Runs after the transform and before the load, so that, when configured to
 * fail, anomalous data never reaches the table.
 *
 * Rules, each giving a reason:
 * - rows read more than `maxStdDevs` standard deviations from the history's mean;
 * - rejected ratio (rejected / rows read) more than `maxStdDevs` standard deviations from the
 *   history's mean ratio;
 * - rejected ratio above `maxRejectedRatio`, when set (needs no history).
 * The two history rules need at least `minHistory` runs. A perfectly steady history has a
 * standard deviation of 0, which would make any change anomalous: the spread used is at least
 * {@link MIN_RELATIVE_ROWS_SPREAD} of the mean rows and {@link MIN_RATIO_SPREAD} of ratio.
 */

/** What the check needs of a run. */
export interface RunVolume {
  rowsRead: number;
  rejected: number;
}

/** How the check decides and what it does (from `CTI_ANOMALY_*`). */
export interface AnomalyPolicy {
  /** Successful runs compared with (the most recent). 0 turns the history rules off. Default 20. */
  historyRuns: number;
  /** Fewest history runs the history rules need. Default 5. */
  minHistory: number;
  /** Standard deviations from the mean beyond which a run is anomalous. Default 3. */
  maxStdDevs: number;
  /** Rejected ratio (0–1) above which a run is anomalous, whatever the history. Default: no limit. */
  maxRejectedRatio?: number;
  /** `warn`: log and count it, then load. `fail`: fail the run before the load. Default `warn`. */
  action: "warn" | "fail";
}

/** The policy used when nothing is configured. */
export const DEFAULT_ANOMALY_POLICY: AnomalyPolicy = { historyRuns: 20, minHistory: 5, maxStdDevs: 3, action: "warn" };

/** Least spread of rows read, as a fraction of the mean: a steady 1,000 rows a day tolerates ±150 at 3σ. */
export const MIN_RELATIVE_ROWS_SPREAD = 0.05;
/** Least spread of the rejected ratio: one percentage point. */
export const MIN_RATIO_SPREAD = 0.01;

/** Why a run is anomalous. */
export interface AnomalyReason {
  code: "ROWS_READ_OUT_OF_RANGE" | "REJECTED_RATIO_OUT_OF_RANGE" | "REJECTED_RATIO_ABOVE_LIMIT";
  /** For a person, e.g. "rows read 12 is 9.8 standard deviations below the mean 10,020 of the last 20 runs". */
  message: string;
}

/** One measure of the run against its history. */
export interface MeasureCheck {
  value: number;
  mean: number;
  /** Standard deviation of the history (sample). */
  stdDev: number;
  /** (value − mean) / max(stdDev, floor); absent without enough history. */
  zScore?: number;
}

/** The verdict, logged and attached to the run's outcome. */
export interface AnomalyVerdict {
  anomalous: boolean;
  reasons: AnomalyReason[];
  /** History runs compared with. */
  historyRuns: number;
  /** False when there was too little history for the history rules. */
  historyChecked: boolean;
  rowsRead: MeasureCheck;
  rejectedRatio: MeasureCheck;
}

/** rejected / rowsRead; 0 for a run that read nothing. */
export function rejectedRatio(run: RunVolume): number {
  return run.rowsRead > 0 ? run.rejected / run.rowsRead : 0;
}

/** Mean and sample standard deviation (n − 1); 0 and 0 for no values, stdDev 0 for one. */
export function meanAndStdDev(values: readonly number[]): { mean: number; stdDev: number } {
  const n = values.length;
  if (n === 0) return { mean: 0, stdDev: 0 };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n === 1) return { mean, stdDev: 0 };
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  return { mean, stdDev: Math.sqrt(variance) };
}

/**
 * Judges `current` against `history` (most recent first; only the first `policy.historyRuns`
 * are used).
 */
export function assessRun(current: RunVolume, history: readonly RunVolume[], policy: AnomalyPolicy): AnomalyVerdict {
  const used = policy.historyRuns > 0 ? history.slice(0, policy.historyRuns) : [];
  const historyChecked = used.length > 0 && used.length >= policy.minHistory;
  const reasons: AnomalyReason[] = [];
  const n = used.length;

  const rows = measure(current.rowsRead, used.map((r) => r.rowsRead), (mean) => Math.max(mean * MIN_RELATIVE_ROWS_SPREAD, 1), historyChecked);
  if (rows.zScore !== undefined && Math.abs(rows.zScore) > policy.maxStdDevs) {
    reasons.push({
      code: "ROWS_READ_OUT_OF_RANGE",
      message: `rows read ${fmt(rows.value)} is ${fmt(Math.abs(rows.zScore), 1)} standard deviations ${rows.zScore < 0 ? "below" : "above"} the mean ${fmt(rows.mean)} of the last ${n} runs (limit ${policy.maxStdDevs})`,
    });
  }

  const ratio = measure(rejectedRatio(current), used.map(rejectedRatio), () => MIN_RATIO_SPREAD, historyChecked);
  if (ratio.zScore !== undefined && ratio.zScore > policy.maxStdDevs) {
    // Only a rise is a problem: fewer rejects than usual is good news.
    reasons.push({
      code: "REJECTED_RATIO_OUT_OF_RANGE",
      message: `rejected ratio ${pct(ratio.value)} is ${fmt(ratio.zScore, 1)} standard deviations above the mean ${pct(ratio.mean)} of the last ${n} runs (limit ${policy.maxStdDevs})`,
    });
  }
  if (policy.maxRejectedRatio !== undefined && ratio.value > policy.maxRejectedRatio) {
    reasons.push({
      code: "REJECTED_RATIO_ABOVE_LIMIT",
      message: `rejected ratio ${pct(ratio.value)} (${fmt(current.rejected)} of ${fmt(current.rowsRead)} rows) is above the limit ${pct(policy.maxRejectedRatio)}`,
    });
  }
  return { anomalous: reasons.length > 0, reasons, historyRuns: n, historyChecked, rowsRead: rows, rejectedRatio: ratio };
}

function measure(value: number, history: readonly number[], floor: (mean: number) => number, checked: boolean): MeasureCheck {
  const { mean, stdDev } = meanAndStdDev(history);
  if (!checked) return { value, mean, stdDev };
  return { value, mean, stdDev, zScore: (value - mean) / Math.max(stdDev, floor(mean)) };
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits });
}

function pct(ratio: number): string {
  return `${(ratio * 100).toLocaleString("en-US", { maximumFractionDigits: 2 })}%`;
}

/** Stable code of the error that fails an anomalous run when the policy says `fail`. */
export const ANOMALOUS_DATA = "ANOMALOUS_DATA";

/**
 * The error that stops an anomalous run before its load. Carries a stable `code`
 * ({@link ANOMALOUS_DATA}) like `EtlError`; `errors.ts` does not know the code yet (see the
 * wiring notes), so until then it is its own class.
 */
export class AnomalousDataError extends Error {
  override readonly name = "AnomalousDataError";
  readonly code = ANOMALOUS_DATA;
  constructor(readonly verdict: AnomalyVerdict) {
    super(`the run's data is far from its history, so it was not loaded: ${verdict.reasons.map((r) => r.message).join("; ")}`);
  }
}
