import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dashboardBody, type DashboardArgs } from "./monitoring-plan.ts";

/** Arguments of {@link Monitoring}. */
export interface MonitoringArgs {
  /** Value of the metrics' `Job` dimension: the task definition family, which the task uses by default. Example: `cti-etl-dev`. */
  readonly job: string;
  /** Metric namespace. Default `CtiEtl` (what the task writes). */
  readonly namespace?: string;
  /**
   * Longest time between two scheduled runs, seconds: the graphs' period. Example: 86400 for
   * `cron(0 3 * * ? *)`; see `schedulePeriodSeconds` (scheduler/schedule-period.ts). Undefined
   * (a one-off `at(…)` schedule): a day.
   */
  readonly schedulePeriodSeconds: number | undefined;
  /** The `rejected-ratio` alarm's threshold, drawn on the ratio graph. Default 0.05. */
  readonly maxRejectedRatio?: number;
  /** ARNs of the alarms the alarm widget shows: the alerting component's. */
  readonly alarmArns: pulumi.Input<readonly string[]>;
  /** Region of the metrics, for the dashboard. Example: `us-east-1`. */
  readonly region: string;
  /** Dashboard name (unique in the account and region). Example: `cti-etl-dev`. */
  readonly dashboardName: string;
  /** The task's log group, for the dashboard's failed-runs table. Optional. Example: `/cti-etl/dev/task`. */
  readonly logGroupName?: pulumi.Input<string>;
}

/**
 * The job's CloudWatch dashboard, over the metrics the task writes as embedded metric format.
 * Its body is `monitoring-plan.ts`'s; the alarms it shows belong to the alerting component
 * (scheduler/alerting.ts), which owns everything that notifies someone.
 */
export class Monitoring extends pulumi.ComponentResource {
  /** Dashboard name. */
  readonly dashboardName: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cti-etl:infra:Monitoring", name, {}, opts);
    const dashboard = createDashboard(name, args, { parent: this });
    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({ dashboardName: this.dashboardName });
  }
}

function createDashboard(name: string, args: MonitoringArgs, opts: pulumi.CustomResourceOptions) {
  const plan: Omit<DashboardArgs, "alarmArns" | "logGroupName"> = {
    job: args.job,
    schedulePeriodSeconds: args.schedulePeriodSeconds,
    region: args.region,
    ...(args.namespace !== undefined ? { namespace: args.namespace } : {}),
    ...(args.maxRejectedRatio !== undefined ? { maxRejectedRatio: args.maxRejectedRatio } : {}),
  };
  const body = pulumi
    .all([pulumi.output(args.alarmArns), pulumi.output(args.logGroupName)])
    .apply(([alarmArns, logGroupName]) => JSON.stringify(dashboardBody({ ...plan, alarmArns, ...(logGroupName ? { logGroupName } : {}) })));
  return new aws.cloudwatch.Dashboard(`${name}-dashboard`, { dashboardName: args.dashboardName, dashboardBody: body }, opts);
}
