/**
 * The job's CloudWatch dashboard (pure), over the metrics the task writes as embedded metric
 * format (`task/src/observability/emf.ts`: same namespace, names and `Job` dimension, imported
 * so they cannot drift apart). The alarms it shows are the alerting component's
 * (`scheduler/job-alarms.ts`).
 */
import { JOB_ALARM_DEFAULTS, rejectedRatioExpression } from "../scheduler/job-alarms.ts";
import { DIMENSION, METRIC, METRICS_NAMESPACE } from "../task/src/observability/emf.ts";

/** What the dashboard is built from. */
export interface DashboardArgs {
  /** Value of the `Job` dimension: the task definition family, e.g. `cti-etl-dev` (the task's default). */
  readonly job: string;
  /** Metric namespace. Default `CtiEtl` (the task's). */
  readonly namespace?: string;
  /** Longest time between two scheduled runs, seconds: one graph point per run. Undefined (a one-off schedule): a day. */
  readonly schedulePeriodSeconds: number | undefined;
  /** The `rejected-ratio` alarm's threshold, drawn on the ratio graph. Default 0.05. */
  readonly maxRejectedRatio?: number;
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
  const maxRatio = args.maxRejectedRatio ?? JOB_ALARM_DEFAULTS.maxRejectedRatio;
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
