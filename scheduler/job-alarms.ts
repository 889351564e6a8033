/**
 * The job's alarms on the metrics the task writes as embedded metric format (pure):
 * `task/src/observability/emf.ts` gives the namespace, names and `Job` dimension, imported so
 * they cannot drift apart. The `Alerting` component (alerting.ts) creates them on its topic.
 *
 * - `no-recent-success`: no `RunSucceeded` within the schedule's period plus a margin. Missing
 *   data counts as breaching, so a job that stops running at all (schedule disabled, task never
 *   starting, crashing before it logs) alarms too: a dead man's switch;
 * - `rejected-ratio`: `RowsRejected / RowsRead` (metric math) above the threshold;
 * - `anomalous-run`: the task's check against history found the run anomalous.
 *
 * A failed run has no alarm here: the failed-run rule (event-pattern.ts) already publishes
 * every one of them, each with its exit code and stop reason, including the runs that die
 * before they can write a `RunFailed` metric (never started, killed for memory). An alarm on
 * `RunFailed` as well paged twice for one failure, so it was removed; the metric stays on the
 * dashboard.
 */
import { DIMENSION, METRIC, METRICS_NAMESPACE } from "../task/src/observability/emf.ts";

/** What the job's alarms are built from. */
export interface JobAlarmsArgs {
  /** Value of the `Job` dimension: the task definition family, e.g. `cti-etl-dev` (the task's default). */
  readonly job: string;
  /** Metric namespace. Default `CtiEtl` (the task's). */
  readonly namespace?: string;
  /**
   * Longest time between two scheduled runs, seconds, e.g. 86400 for a daily schedule (see
   * `schedulePeriodSeconds` in schedule-period.ts). Undefined (a one-off `at(…)` schedule): no `no-recent-success` alarm.
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
export const JOB_ALARM_DEFAULTS = { stalenessMarginSeconds: 3600, maxRejectedRatio: 0.05 } as const;

/** The alarms, by key (the suffix of their names). */
export type AlarmKey = "no-recent-success" | "rejected-ratio" | "anomalous-run";

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
  /** e.g. `cti-etl-dev-rejected-ratio`. */
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

/** The alarms: all three, or two without a schedule period. */
export function alarmSpecs(args: JobAlarmsArgs): AlarmSpec[] {
  const namespace = args.namespace ?? METRICS_NAMESPACE;
  const dimensions = { [DIMENSION.job]: args.job };
  const margin = args.stalenessMarginSeconds ?? JOB_ALARM_DEFAULTS.stalenessMarginSeconds;
  const maxRatio = args.maxRejectedRatio ?? JOB_ALARM_DEFAULTS.maxRejectedRatio;
  if (!(maxRatio >= 0 && maxRatio <= 1)) throw new Error(`maxRejectedRatio must be between 0 and 1, got ${maxRatio}`);
  const runMetric = (metricName: string, period = RUN_ALARM_PERIOD_SECONDS): AlarmMetric => ({ namespace, metricName, dimensions, period, stat: "Sum" });
  const onAnyRun = { evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: "notBreaching" as const, notifyOnRecovery: false, actionsEnabled: true };
  const name = (key: AlarmKey) => `${args.job}-${key}`;
  const specs: AlarmSpec[] = [
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
  if (args.schedulePeriodSeconds !== undefined) specs.unshift(noRecentSuccess(args.schedulePeriodSeconds, margin));
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

function hours(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} min`;
}

/**
 * How late a successful run may be beyond the schedule's period before `no-recent-success`
 * alarms, seconds: a run may start late by the flexible window and by Scheduler's retries (up to
 * the event's maximum age), and an hour is allowed for the run itself.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-flexible-time-windows.html
 */
export function stalenessMarginSeconds(timing: { readonly flexibleWindowMinutes: number; readonly maxEventAgeSeconds: number }): number {
  return 3600 + timing.flexibleWindowMinutes * 60 + timing.maxEventAgeSeconds;
}
