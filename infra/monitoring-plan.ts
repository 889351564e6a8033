/**
 * What the job is watched with (pure): the CloudWatch alarms and the dashboard, over the metrics
 * the task writes as embedded metric format (`task/src/observability/emf.ts`: same namespace,
 * names and `Job` dimension, imported so they cannot drift apart).
 *
 * Alarms, all notifying the alert topic:
 * - `run-failed`: a run reported `RunFailed`;
 * - `no-recent-success`: no `RunSucceeded` within the schedule's period plus a margin. Missing
 *   data counts as breaching, so a job that stops running at all (schedule disabled, task never
 *   starting, crashing before it logs) alarms too: a dead man's switch;
 * - `rejected-ratio`: `RowsRejected / RowsRead` (metric math) above the threshold;
 * - `anomalous-run`: the task's check against history found the run anomalous.
 */
import { parseScheduleExpression } from "../scheduler/schedule-expression.ts";
import { DIMENSION, METRIC, METRICS_NAMESPACE } from "../task/src/observability/emf.ts";

/** What the plan is built from. */
export interface MonitoringPlanArgs {
  /** Value of the `Job` dimension: the task definition family, e.g. `cti-etl-dev` (the task's default). */
  readonly job: string;
  /** Metric namespace. Default `CtiEtl` (the task's). */
  readonly namespace?: string;
  /**
   * Longest time between two scheduled runs, seconds, e.g. 86400 for a daily schedule (see
   * {@link schedulePeriodSeconds}). Undefined (a one-off `at(…)` schedule): no `no-recent-success` alarm.
   */
  readonly schedulePeriodSeconds: number | undefined;
  /** The schedule is paused: `no-recent-success` stays deployed with its actions off. Default false. */
  readonly schedulePaused?: boolean;
  /** How late a successful run may be beyond the period before `no-recent-success` alarms, seconds. Default 3600. */
  readonly stalenessMarginSeconds?: number;
  /** Rejected ratio (0–1) above which `rejected-ratio` alarms. Default 0.05. */
  readonly maxRejectedRatio?: number;
}

/** Defaults of the optional arguments. */
export const MONITORING_DEFAULTS = { stalenessMarginSeconds: 3600, maxRejectedRatio: 0.05 } as const;

/** The alarms, by key (the suffix of their names). */
export type AlarmKey = "run-failed" | "no-recent-success" | "rejected-ratio" | "anomalous-run";

/** One metric an alarm reads. */
export interface AlarmMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  period: number;
  stat: "Sum" | "Maximum";
}

/** An alarm as `aws.cloudwatch.MetricAlarm` takes it, minus the actions. */
export interface AlarmSpec {
  key: AlarmKey;
  /** e.g. `cti-etl-dev-run-failed`. */
  name: string;
  description: string;
  comparisonOperator: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold" | "LessThanThreshold";
  threshold: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: "breaching" | "notBreaching";
  /** One metric… */
  metric?: AlarmMetric;
  /** …or metric math: the expression's id is `ratio`. */
  metricQueries?: Array<{ id: string; expression?: string; label?: string; returnData: boolean; metric?: AlarmMetric }>;
  /** Also notify when it returns to OK (the dead man's switch: runs resumed). */
  notifyOnRecovery: boolean;
  /** False: the alarm changes state but notifies no one (a paused schedule). */
  actionsEnabled: boolean;
}

/**
 * An alarm's period × evaluation periods may span at most 7 days, and at most 1 day when its
 * period is under an hour.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 */
export const MAX_ALARM_WINDOW_SECONDS = 7 * 86_400;
export const MAX_SHORT_PERIOD_WINDOW_SECONDS = 86_400;

/** Period of the alarms on a single run's metrics: a run's values all land in one 5-minute bucket. */
export const RUN_ALARM_PERIOD_SECONDS = 300;

/**
 * Covers `windowSeconds` with whole alarm periods: hours when the window is at least an hour
 * (a 25-hour window is 25 periods of 3600 s), else minutes. The alarm fires when every period
 * in it lacks a success.
 * @throws Error when the window is over 7 days (CloudWatch's limit) or under a minute.
 */
export function stalenessWindow(windowSeconds: number): { period: number; evaluationPeriods: number } {
  if (!(windowSeconds >= 60)) throw new Error(`the no-recent-success window must be at least 60 s, got ${windowSeconds}`);
  const period = windowSeconds >= 3600 ? 3600 : 60;
  const evaluationPeriods = Math.ceil(windowSeconds / period);
  const limit = period >= 3600 ? MAX_ALARM_WINDOW_SECONDS : MAX_SHORT_PERIOD_WINDOW_SECONDS;
  if (period * evaluationPeriods > limit) {
    throw new Error(
      `a schedule period plus margin of ${windowSeconds} s is longer than CloudWatch lets an alarm look back (${limit} s): ` +
        "run the job at least weekly or watch it another way",
    );
  }
  return { period, evaluationPeriods };
}

/** The alarms: all four, or three without a schedule period. */
export function alarmSpecs(args: MonitoringPlanArgs): AlarmSpec[] {
  const namespace = args.namespace ?? METRICS_NAMESPACE;
  const dimensions = { [DIMENSION.job]: args.job };
  const margin = args.stalenessMarginSeconds ?? MONITORING_DEFAULTS.stalenessMarginSeconds;
  const maxRatio = args.maxRejectedRatio ?? MONITORING_DEFAULTS.maxRejectedRatio;
  if (!(maxRatio >= 0 && maxRatio <= 1)) throw new Error(`maxRejectedRatio must be between 0 and 1, got ${maxRatio}`);
  const runMetric = (metricName: string, period = RUN_ALARM_PERIOD_SECONDS): AlarmMetric => ({ namespace, metricName, dimensions, period, stat: "Sum" });
  const onAnyRun = { evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: "notBreaching" as const, notifyOnRecovery: false, actionsEnabled: true };
  const name = (key: AlarmKey) => `${args.job}-${key}`;
  const specs: AlarmSpec[] = [
    {
      key: "run-failed",
      name: name("run-failed"),
      description: `A run of ${args.job} failed. Its log lines (level error) say why; its PagerDuty event and webhook carry the code.`,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      metric: runMetric(METRIC.runFailed),
      ...onAnyRun,
    },
    {
      key: "rejected-ratio",
      name: name("rejected-ratio"),
      description: `A run of ${args.job} rejected more than ${maxRatio * 100}% of the rows it read. The rejected files under the run's output give each row's reason.`,
      comparisonOperator: "GreaterThanThreshold",
      threshold: maxRatio,
      metricQueries: [
        { id: "ratio", expression: rejectedRatioExpression, label: "rejected ratio", returnData: true },
        { id: "rejected", metric: runMetric(METRIC.rejected), returnData: false },
        { id: "read", metric: runMetric(METRIC.rowsRead), returnData: false },
      ],
      ...onAnyRun,
    },
    {
      key: "anomalous-run",
      name: name("anomalous-run"),
      description: `A run of ${args.job} was far from its recent history (rows read or rejected ratio). The log line "data is anomalous" gives the reasons.`,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      metric: runMetric(METRIC.runAnomalous),
      ...onAnyRun,
    },
  ];
  if (args.schedulePeriodSeconds !== undefined) specs.splice(1, 0, noRecentSuccess(args.schedulePeriodSeconds, margin));
  return specs;

  function noRecentSuccess(period: number, margin: number): AlarmSpec {
    const window = stalenessWindow(period + margin);
    return {
      key: "no-recent-success",
      name: name("no-recent-success"),
      description:
        `No successful run of ${args.job} in ${hours(period + margin)} (schedule period ${hours(period)} plus ${hours(margin)}). ` +
        "Missing data counts: this alarms when the job fails, hangs or stops running at all.",
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      evaluationPeriods: window.evaluationPeriods,
      datapointsToAlarm: window.evaluationPeriods,
      treatMissingData: "breaching",
      metric: runMetric(METRIC.runSucceeded, window.period),
      notifyOnRecovery: true,
      actionsEnabled: args.schedulePaused !== true,
    };
  }
}

/** Rejected over read, 0 when nothing was read (no division by zero, no false alarm). */
export const rejectedRatioExpression = "IF(read > 0, rejected / read, 0)";

/** What the dashboard is built from. */
export interface DashboardArgs extends MonitoringPlanArgs {
  /** Region of the metrics, e.g. `us-east-1`. */
  readonly region: string;
  /** ARNs of the alarms, for the alarm status widget. */
  readonly alarmArns: readonly string[];
  /** The task's log group, for the failed-runs table. Optional. */
  readonly logGroupName?: string;
}

/**
 * Graph period of the dashboard: one point per scheduled run (the schedule's period), between
 * 5 minutes and a day, a multiple of 60 as CloudWatch requires.
 */
export function dashboardPeriodSeconds(schedulePeriodSeconds: number | undefined): number {
  if (schedulePeriodSeconds === undefined) return 86_400;
  return Math.min(86_400, Math.max(300, Math.round(schedulePeriodSeconds / 60) * 60));
}

/**
 * The dashboard body: runs by outcome, rows, the rejected ratio against its threshold,
 * rejects by reason, durations (run and stages), the alarms' states and, given the log group,
 * the latest failed runs.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
 */
export function dashboardBody(args: DashboardArgs): { widgets: Record<string, unknown>[] } {
  const namespace = args.namespace ?? METRICS_NAMESPACE;
  const period = dashboardPeriodSeconds(args.schedulePeriodSeconds);
  const job = args.job;
  const metric = (name: string, options: Record<string, unknown>) => [namespace, name, DIMENSION.job, job, options];
  const search = (dimension: string, metricName: string, stat: string) =>
    `SEARCH('{${namespace},${DIMENSION.job},${dimension}} MetricName="${metricName}" ${DIMENSION.job}="${job}"', '${stat}', ${period})`;
  const graph = (title: string, metrics: unknown[], extra: Record<string, unknown> = {}) => ({
    type: "metric",
    width: 12,
    height: 6,
    properties: { title, region: args.region, period, stat: "Sum", view: "timeSeries", stacked: false, metrics, ...extra },
  });
  const maxRatio = args.maxRejectedRatio ?? MONITORING_DEFAULTS.maxRejectedRatio;
  const widgets: Record<string, unknown>[] = [
    graph(
      "Runs",
      [
        metric(METRIC.runSucceeded, { label: "succeeded", color: "#2ca02c" }),
        metric(METRIC.runFailed, { label: "failed", color: "#d62728" }),
        metric(METRIC.runSkipped, { label: "skipped (lease held)", color: "#7f7f7f" }),
        metric(METRIC.runAnomalous, { label: "anomalous", color: "#ff7f0e" }),
      ],
      { view: "bar" },
    ),
    graph("Rows", [
      metric(METRIC.rowsRead, { label: "read" }),
      metric(METRIC.clean, { label: "clean" }),
      metric(METRIC.duplicates, { label: "duplicate" }),
      metric(METRIC.rejected, { label: "rejected" }),
      metric(METRIC.loaded, { label: "loaded" }),
      metric(METRIC.alreadyPresent, { label: "already present" }),
    ]),
    graph(
      "Rejected ratio",
      [
        [{ id: "ratio", expression: rejectedRatioExpression, label: "rejected / read" }],
        metric(METRIC.rejected, { id: "rejected", visible: false }),
        metric(METRIC.rowsRead, { id: "read", visible: false }),
      ],
      { annotations: { horizontal: [{ label: "alarm threshold", value: maxRatio, color: "#d62728" }] }, yAxis: { left: { min: 0 } } },
    ),
    graph("Rejected rows by reason", [[{ id: "byReason", expression: search(DIMENSION.reason, METRIC.rejected, "Sum"), label: "" }]]),
    graph(
      "Durations (ms)",
      [
        metric(METRIC.runDuration, { label: "run", stat: "Maximum" }),
        [{ id: "stages", expression: search(DIMENSION.stage, METRIC.stageDuration, "Maximum"), label: "" }],
      ],
      { stat: "Maximum" },
    ),
    { type: "alarm", width: 12, height: 6, properties: { title: "Alarms", alarms: [...args.alarmArns], sortBy: "stateUpdatedTimestamp" } },
  ];
  if (args.logGroupName) {
    widgets.push({
      type: "log",
      width: 24,
      height: 6,
      properties: {
        title: "Failed runs (latest first)",
        region: args.region,
        view: "table",
        query: [
          `SOURCE '${args.logGroupName}'`,
          "fields @timestamp, runId, failure.code, failure.message, taskArn",
          'filter msg = "run failed"',
          "sort @timestamp desc",
          "limit 20",
        ].join(" | "),
      },
    });
  }
  return { widgets: layOut(widgets) };
}

/** Places widgets left to right on CloudWatch's 24-column grid, rows as tall as their tallest. */
export function layOut(widgets: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return widgets.map((widget) => {
    const width = Number(widget.width ?? 6);
    const height = Number(widget.height ?? 6);
    if (x + width > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const placed = { ...widget, x, y, width, height };
    x += width;
    rowHeight = Math.max(rowHeight, height);
    return placed;
  });
}

function hours(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} min`;
}

const UNIT_SECONDS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86_400, days: 86_400 };

/**
 * The longest time between two runs of an EventBridge Scheduler expression, seconds:
 * `rate(1 day)` → 86400; `cron(0 3 * * ? *)` → 86400; `cron(0 6 ? * MON-FRI *)` → 259200 (Friday
 * to Monday). Cron is read in UTC; outside UTC a daylight-saving change can stretch one gap by an
 * hour, which `timeZone` adds. `undefined` for `at(…)` and cron features it does not evaluate
 * (`L`, `W`, `#`): give the period explicitly then.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 */
export function schedulePeriodSeconds(expression: string, timeZone = "UTC"): number | undefined {
  const parsed = parseScheduleExpression(expression);
  if (!parsed.ok || parsed.expression.kind === "at") return undefined;
  const e = parsed.expression;
  if (e.kind === "rate") return e.value * UNIT_SECONDS[e.unit]!;
  const f = e.fields;
  const gap = longestCronGapSeconds([f.minutes, f.hours, f.dayOfMonth, f.month, f.dayOfWeek, f.year]);
  if (gap === undefined) return undefined;
  return gap + (timeZone === "UTC" || timeZone === "Etc/UTC" ? 0 : 3600);
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** Values a cron field allows, or undefined for syntax this does not evaluate. */
function cronField(text: string, min: number, max: number, names: readonly string[] = [], nameBase = min): Set<number> | undefined {
  if (text === "*" || text === "?") return range(min, max);
  const out = new Set<number>();
  const value = (v: string) => {
    const named = names.indexOf(v.toUpperCase());
    return named >= 0 ? named + nameBase : /^\d+$/.test(v) ? Number(v) : Number.NaN;
  };
  for (const part of text.split(",")) {
    const m = /^([^/-]+|\*)(?:-([^/]+))?(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const start = m[1] === "*" ? min : value(m[1]!);
    const end = m[2] !== undefined ? value(m[2]) : m[3] !== undefined || m[1] === "*" ? max : start;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (![start, end].every((n) => Number.isInteger(n) && n >= min && n <= max) || step < 1 || start > end) return undefined;
    for (let n = start; n <= end; n += step) out.add(n);
  }
  return out;
}

function range(min: number, max: number): Set<number> {
  return new Set(Array.from({ length: max - min + 1 }, (_, i) => min + i));
}

/** Longest gap between consecutive firings over two years (every calendar case recurs by then). */
function longestCronGapSeconds(fields: readonly string[]): number | undefined {
  if (fields.length !== 6) return undefined;
  const [minuteF, hourF, domF, monthF, dowF, yearF] = fields as [string, string, string, string, string, string];
  if (yearF !== "*") return undefined;
  const minutes = cronField(minuteF, 0, 59);
  const hours = cronField(hourF, 0, 23);
  const doms = cronField(domF, 1, 31);
  const months = cronField(monthF, 1, 12, MONTHS, 1);
  // EventBridge numbers days of the week 1 (SUN) to 7 (SAT).
  const dows = cronField(dowF, 1, 7, DAYS, 1);
  if (!minutes || !hours || !doms || !months || !dows) return undefined;
  const times = [...hours].sort((a, b) => a - b).flatMap((h) => [...minutes].sort((a, b) => a - b).map((m) => (h * 60 + m) * 60));
  const start = Date.UTC(2025, 0, 1);
  let previous: number | undefined;
  let longest = 0;
  for (let day = 0; day < 2 * 366; day++) {
    const date = new Date(start + day * 86_400_000);
    const domOk = domF === "?" || doms.has(date.getUTCDate());
    const dowOk = dowF === "?" || dows.has(date.getUTCDay() + 1);
    if (!domOk || !dowOk || !months.has(date.getUTCMonth() + 1)) continue;
    for (const t of times) {
      const at = date.getTime() / 1000 + t;
      if (previous !== undefined) longest = Math.max(longest, at - previous);
      previous = at;
    }
  }
  return longest > 0 ? longest : undefined;
}
