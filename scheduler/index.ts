import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type PolicyStatement, renderPolicyDocument } from "../infra/iam/policy-document.ts";
import { maxBaseLength } from "../infra/naming.ts";
import { Alerting } from "./alerting.ts";
import { schedulerRoleStatements, schedulerStartExecutionStatements, schedulerTrust } from "./iam.ts";
import { stalenessMarginSeconds } from "./job-alarms.ts";
import { parseScheduleExpression, timeZoneProblem } from "./schedule-expression.ts";
import { schedulePeriodSeconds } from "./schedule-period.ts";
import { runTaskTarget, type ScheduleTiming, scheduleSettings, startExecutionTarget } from "./schedule-target.ts";

/** Arguments of {@link Scheduler}. */
export interface SchedulerArgs {
  /**
   * Physical name of the schedule and prefix of its group, queue, topic, rule and alarm; at most
   * `maxBaseLength` (infra/naming.ts) characters of `[A-Za-z0-9_-]`. Example: `cti-etl-dev`.
   */
  readonly name: string;
  /** Stack label used in descriptions and alerts. Example: `cti-etl/dev`. */
  readonly stackLabel: string;
  /** AWS region of the stack. Example: `us-east-1`. */
  readonly region: string;
  /**
   * When runs start: `cron(…)`, `rate(…)` or `at(…)` (validated, see schedule-expression.ts).
   * Example: `cron(0 3 * * ? *)` (03:00 every day).
   */
  readonly expression: string;
  /** IANA time zone the expression is read in. Example: `Europe/Berlin`. Default in config: `UTC`. */
  readonly timeZone: string;
  /** Paused flag, flexible window and retry policy (see {@link ScheduleTiming}). */
  readonly timing: ScheduleTiming;
  /** ARN of the ECS cluster the task runs on. */
  readonly clusterArn: pulumi.Input<string>;
  /**
   * ARN of the task definition revision to run, e.g. `…:task-definition/cti-etl-dev:7`. A new
   * image registers a new revision, and the schedule moves to it in the same `pulumi up`.
   */
  readonly taskDefinitionArn: pulumi.Input<string>;
  /** ARN of the task role (the schedule's role may pass it to ECS tasks only). */
  readonly taskRoleArn: pulumi.Input<string>;
  /** ARN of the execution role (likewise). */
  readonly executionRoleArn: pulumi.Input<string>;
  /** Private subnets of the task. */
  readonly subnetIds: pulumi.Input<string[]>;
  /** Security group of the task. */
  readonly securityGroupId: pulumi.Input<string>;
  /** The task's log group, named in alerts. Example: `/cti-etl/dev/task`. */
  readonly logGroupName: pulumi.Input<string>;
  /** E-mail told about failed runs. Default: none. */
  readonly alertEmail?: string;
  /**
   * Value of the `Job` dimension of the task's metrics, which the job's alarms watch: the task
   * definition family, which the task uses by default. Example: `cti-etl-dev`.
   */
  readonly job: string;
  /** Rejected ratio (0–1) above which the `rejected-ratio` alarm fires. Default 0.05. */
  readonly maxRejectedRatio?: number;
  /**
   * Name of the `Monitoring` component that owned the job's alarms before the alerting component
   * did (e.g. `cti-etl-monitoring`), so `pulumi up` moves them rather than replacing them.
   * Default: none.
   */
  readonly jobAlarmsFormerParent?: string;
  /**
   * The fan-out's state machine (config `fanOut`, fan-out.ts): the schedule starts an execution of
   * it instead of a task. Default: none, the schedule runs the task.
   */
  readonly fanOut?: { readonly stateMachineArn: pulumi.Input<string> };
}

/**
 * When and how the task is started, and who hears about it when that fails: an EventBridge
 * Scheduler schedule (in its own group) whose target runs the current task definition revision
 * on Fargate, its role, its encrypted dead-letter queue, and the alerting (alerting.ts): the
 * topic with every rule and alarm that publishes to it, the `no-recent-success` alarm timed
 * from this schedule's own expression.
 */
export class Scheduler extends pulumi.ComponentResource {
  /** Name of the schedule. */
  readonly scheduleName: pulumi.Output<string>;
  /** ARN of the schedule. */
  readonly scheduleArn: pulumi.Output<string>;
  /** Name of the schedule group. */
  readonly scheduleGroupName: pulumi.Output<string>;
  /** ARN of the alert topic. */
  readonly alertTopicArn: pulumi.Output<string>;
  /** ARNs of every alarm that notifies the alert topic, sorted. */
  readonly alarmArns: pulumi.Output<string[]>;
  /** URL of the dead-letter queue (runs Scheduler could not start). */
  readonly deadLetterQueueUrl: pulumi.Output<string>;
  /** ARN of the role Scheduler assumes. */
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: SchedulerArgs, opts?: pulumi.ComponentResourceOptions) {
    checkArgs(args);
    super("cti-etl:scheduler:Scheduler", name, {}, opts);
    const parent = { parent: this };

    const account = callerAccount(parent);
    const group = createScheduleGroup(name, args, parent);
    const deadLetterQueue = createDeadLetterQueue(name, args, parent);
    const role = createSchedulerRole(name, args, { account, group, deadLetterQueue }, parent);
    const schedule = createSchedule(name, args, { group, deadLetterQueue, role }, parent);
    const alerts = new Alerting(
      `${name}-alerts`,
      {
        namePrefix: args.name,
        stackLabel: args.stackLabel,
        region: args.region,
        accountId: account.accountId,
        partition: account.partition,
        clusterArn: args.clusterArn,
        taskDefinitionArn: args.taskDefinitionArn,
        logGroupName: args.logGroupName,
        deadLetterQueueName: deadLetterQueue.name,
        jobAlarms: {
          job: args.job,
          schedulePeriodSeconds: schedulePeriodSeconds(args.expression, args.timeZone),
          schedulePaused: args.timing.paused,
          stalenessMarginSeconds: stalenessMarginSeconds(args.timing),
          ...(args.maxRejectedRatio === undefined ? {} : { maxRejectedRatio: args.maxRejectedRatio }),
        },
        ...(args.jobAlarmsFormerParent === undefined ? {} : { jobAlarmsFormerParent: args.jobAlarmsFormerParent }),
        ...(args.alertEmail === undefined ? {} : { alertEmail: args.alertEmail }),
        ...(args.fanOut ? { fanOutStateMachineArn: args.fanOut.stateMachineArn } : {}),
      },
      parent,
    );

    this.scheduleName = schedule.name;
    this.scheduleArn = schedule.arn;
    this.scheduleGroupName = group.name;
    this.alertTopicArn = alerts.topicArn;
    this.alarmArns = alerts.alarmArns;
    this.deadLetterQueueUrl = deadLetterQueue.url;
    this.roleArn = role.role.arn;
    this.registerOutputs({
      scheduleName: this.scheduleName,
      scheduleArn: this.scheduleArn,
      scheduleGroupName: this.scheduleGroupName,
      alertTopicArn: this.alertTopicArn,
      alarmArns: this.alarmArns,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
      roleArn: this.roleArn,
    });
  }
}

/** Config validation refuses these first; this keeps other callers of the component honest. */
function checkArgs(args: SchedulerArgs): void {
  const expression = parseScheduleExpression(args.expression);
  if (!expression.ok) throw new Error(`schedule expression ${JSON.stringify(args.expression)} ${expression.problem}`);
  const zone = timeZoneProblem(args.timeZone);
  if (zone) throw new Error(`schedule time zone ${JSON.stringify(args.timeZone)} ${zone}`);
  if (!new RegExp(`^[A-Za-z0-9_-]{1,${maxBaseLength}}$`).test(args.name)) {
    throw new Error(`scheduler name must be 1-${maxBaseLength} of [A-Za-z0-9_-] (was ${JSON.stringify(args.name)})`);
  }
}

function callerAccount(opts: pulumi.InvokeOptions) {
  return {
    accountId: aws.getCallerIdentityOutput({}, opts).accountId,
    partition: aws.getPartitionOutput({}, opts).partition,
  };
}

function createScheduleGroup(name: string, args: SchedulerArgs, opts: pulumi.CustomResourceOptions) {
  return new aws.scheduler.ScheduleGroup(`${name}-group`, { name: args.name }, opts);
}

/** Standard queue (Scheduler refuses FIFO), SSE-SQS encrypted, messages kept the maximum 14 days. */
function createDeadLetterQueue(name: string, args: SchedulerArgs, opts: pulumi.CustomResourceOptions) {
  return new aws.sqs.Queue(
    `${name}-dead-letter-queue`,
    { name: `${args.name}-schedule-dlq`, sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600 },
    opts,
  );
}

function createSchedulerRole(
  name: string,
  args: SchedulerArgs,
  deps: { account: ReturnType<typeof callerAccount>; group: aws.scheduler.ScheduleGroup; deadLetterQueue: aws.sqs.Queue },
  opts: pulumi.CustomResourceOptions,
) {
  const trust = pulumi
    .all([deps.account.accountId, deps.group.arn])
    .apply(([accountId, scheduleGroupArn]) => renderPolicyDocument(schedulerTrust({ accountId, scheduleGroupArn })));
  const statements: pulumi.Output<PolicyStatement[]> = args.fanOut
    ? pulumi
        .all([args.fanOut.stateMachineArn, deps.deadLetterQueue.arn])
        .apply(([stateMachineArn, deadLetterQueueArn]) => schedulerStartExecutionStatements({ stateMachineArn, deadLetterQueueArn }))
    : pulumi
        .all([args.clusterArn, args.taskDefinitionArn, args.taskRoleArn, args.executionRoleArn, deps.deadLetterQueue.arn])
        .apply(([clusterArn, taskDefinitionArn, taskRoleArn, executionRoleArn, deadLetterQueueArn]) =>
          schedulerRoleStatements({ clusterArn, taskDefinitionArn, taskRoleArn, executionRoleArn, deadLetterQueueArn }),
        );
  const role = new aws.iam.Role(
    `${name}-role`,
    { description: `EventBridge Scheduler: start the ${args.stackLabel} task`, assumeRolePolicy: trust },
    opts,
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-policy`,
    { role: role.id, policy: statements.apply((s) => renderPolicyDocument(s)) },
    opts,
  );
  return { role, policy };
}

function createSchedule(
  name: string,
  args: SchedulerArgs,
  deps: { group: aws.scheduler.ScheduleGroup; deadLetterQueue: aws.sqs.Queue; role: ReturnType<typeof createSchedulerRole> },
  opts: pulumi.CustomResourceOptions,
) {
  const settings = scheduleSettings(args.timing);
  const target = args.fanOut
    ? pulumi
        .all([args.fanOut.stateMachineArn, deps.role.role.arn, deps.deadLetterQueue.arn])
        .apply(([stateMachineArn, roleArn, deadLetterQueueArn]) => startExecutionTarget({ stateMachineArn, roleArn, deadLetterQueueArn, retryPolicy: settings.retryPolicy }))
    : pulumi
        .all([args.clusterArn, args.taskDefinitionArn, deps.role.role.arn, args.subnetIds, args.securityGroupId, deps.deadLetterQueue.arn])
        .apply(([clusterArn, taskDefinitionArn, roleArn, subnetIds, securityGroupId, deadLetterQueueArn]) =>
          runTaskTarget({ clusterArn, taskDefinitionArn, roleArn, subnetIds, securityGroupId, deadLetterQueueArn, retryPolicy: settings.retryPolicy }),
        );
  return new aws.scheduler.Schedule(
    `${name}-schedule`,
    {
      name: args.name,
      groupName: deps.group.name,
      description: `Runs the ${args.stackLabel} ETL task`,
      scheduleExpression: args.expression,
      scheduleExpressionTimezone: args.timeZone,
      state: settings.state,
      flexibleTimeWindow: settings.flexibleTimeWindow,
      target,
    },
    // The first run must not race the role's permissions.
    { ...opts, dependsOn: [deps.role.policy] },
  );
}
