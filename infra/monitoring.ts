import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alarmSpecs, dashboardBody, type AlarmKey, type AlarmSpec, type MonitoringPlanArgs } from "./monitoring-plan.ts";

/** Arguments of {@link Monitoring}. */
export interface MonitoringArgs {
  /** Value of the metrics' `Job` dimension: the task definition family, which the task uses by default. Example: `cti-etl-dev`. */
  readonly job: string;
  /** Metric namespace. Default `CtiEtl` (what the task writes). */
  readonly namespace?: string;
  /** SNS topic every alarm notifies (the scheduler's alert topic). */
  readonly alertTopicArn: pulumi.Input<string>;
  /**
   * Longest time between two scheduled runs, seconds. Example: 86400 for `cron(0 3 * * ? *)`;
   * see `schedulePeriodSeconds`. Undefined (a one-off `at(…)` schedule): no `no-recent-success` alarm.
   */
  readonly schedulePeriodSeconds: number | undefined;
  /** The schedule is paused: `no-recent-success` keeps its state but notifies no one. Default false. */
  readonly schedulePaused?: boolean;
  /** Lateness tolerated beyond the period before `no-recent-success` alarms, seconds. Default 3600. */
  readonly stalenessMarginSeconds?: number;
  /** Rejected ratio (0–1) above which `rejected-ratio` alarms. Default 0.05. */
  readonly maxRejectedRatio?: number;
  /** Region of the metrics, for the dashboard. Example: `us-east-1`. */
  readonly region: string;
  /** Dashboard name (unique in the account and region). Example: `cti-etl-dev`. */
  readonly dashboardName: string;
  /** The task's log group, for the dashboard's failed-runs table. Optional. Example: `/cti-etl/dev/task`. */
  readonly logGroupName?: pulumi.Input<string>;
}

/**
 * The job's CloudWatch dashboard and alarms, over the metrics the task writes as embedded
 * metric format. Every decision is in `monitoring-plan.ts`; this creates the resources.
 */
export class Monitoring extends pulumi.ComponentResource {
  /** Dashboard name. */
  readonly dashboardName: pulumi.Output<string>;
  /** Alarm ARNs by key (`run-failed`, `no-recent-success`, `rejected-ratio`, `anomalous-run`). */
  readonly alarmArns: pulumi.Output<Partial<Record<AlarmKey, string>>>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cti-etl:infra:Monitoring", name, {}, opts);
    const parent = { parent: this };
    const plan: MonitoringPlanArgs = {
      job: args.job,
      schedulePeriodSeconds: args.schedulePeriodSeconds,
      ...(args.namespace !== undefined ? { namespace: args.namespace } : {}),
      ...(args.schedulePaused !== undefined ? { schedulePaused: args.schedulePaused } : {}),
      ...(args.stalenessMarginSeconds !== undefined ? { stalenessMarginSeconds: args.stalenessMarginSeconds } : {}),
      ...(args.maxRejectedRatio !== undefined ? { maxRejectedRatio: args.maxRejectedRatio } : {}),
    };

    const alarms = alarmSpecs(plan).map((spec) => createAlarm(name, spec, args.alertTopicArn, parent));
    const dashboard = createDashboard(name, args, plan, alarms, parent);

    this.dashboardName = dashboard.dashboardName;
    this.alarmArns = pulumi
      .all(alarms.map((a) => a.alarm.arn))
      .apply((arns) => Object.fromEntries(alarms.map((a, i) => [a.key, arns[i]!])) as Partial<Record<AlarmKey, string>>);
    this.registerOutputs({ dashboardName: this.dashboardName, alarmArns: this.alarmArns });
  }
}

function createAlarm(name: string, spec: AlarmSpec, topicArn: pulumi.Input<string>, opts: pulumi.CustomResourceOptions) {
  const single = spec.metric;
  const alarm = new aws.cloudwatch.MetricAlarm(
    `${name}-${spec.key}`,
    {
      name: spec.name,
      alarmDescription: spec.description,
      comparisonOperator: spec.comparisonOperator,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: spec.treatMissingData,
      actionsEnabled: spec.actionsEnabled,
      ...(single
        ? { namespace: single.namespace, metricName: single.metricName, dimensions: single.dimensions, period: single.period, statistic: single.stat }
        : {}),
      ...(spec.metricQueries
        ? {
            metricQueries: spec.metricQueries.map((q) => ({
              id: q.id,
              returnData: q.returnData,
              ...(q.expression !== undefined ? { expression: q.expression } : {}),
              ...(q.label !== undefined ? { label: q.label } : {}),
              ...(q.metric
                ? { metric: { namespace: q.metric.namespace, metricName: q.metric.metricName, dimensions: q.metric.dimensions, period: q.metric.period, stat: q.metric.stat } }
                : {}),
            })),
          }
        : {}),
      alarmActions: [topicArn],
      ...(spec.notifyOnRecovery ? { okActions: [topicArn] } : {}),
    },
    opts,
  );
  return { key: spec.key, alarm };
}

function createDashboard(
  name: string,
  args: MonitoringArgs,
  plan: MonitoringPlanArgs,
  alarms: ReadonlyArray<{ alarm: aws.cloudwatch.MetricAlarm }>,
  opts: pulumi.CustomResourceOptions,
) {
  const body = pulumi
    .all([pulumi.all(alarms.map((a) => a.alarm.arn)), pulumi.output(args.logGroupName)])
    .apply(([alarmArns, logGroupName]) =>
      JSON.stringify(dashboardBody({ ...plan, region: args.region, alarmArns, ...(logGroupName ? { logGroupName } : {}) })),
    );
  return new aws.cloudwatch.Dashboard(`${name}-dashboard`, { dashboardName: args.dashboardName, dashboardBody: body }, opts);
}
