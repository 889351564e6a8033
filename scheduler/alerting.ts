import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { renderPolicyDocument } from "../infra/iam/policy-document.ts";
import { deadLetterAlarm } from "./dead-letter-alarm.ts";
import { executionFailurePattern, taskFailurePattern } from "./event-pattern.ts";
import { executionFailureNotification, failureNotification } from "./failure-notification.ts";
import { alertKeyStatements, alertTopicStatements } from "./iam.ts";
import { alarmSpecs, type AlarmSpec, type JobAlarmsArgs } from "./job-alarms.ts";

/** Arguments of {@link Alerting}. */
export interface AlertingArgs {
  /** Prefix of the physical names (topic, rule, dead-letter alarm). Example: `cti-etl-dev`. */
  readonly namePrefix: string;
  /** Stack label used in messages. Example: `cti-etl/dev`. */
  readonly stackLabel: string;
  /** AWS region of the stack. Example: `us-east-1`. */
  readonly region: string;
  /** Account id of the stack. Example: `123456789012`. */
  readonly accountId: pulumi.Input<string>;
  /** AWS partition. Example: `aws`. */
  readonly partition: pulumi.Input<string>;
  /** ARN of the cluster whose failed runs are reported. */
  readonly clusterArn: pulumi.Input<string>;
  /** ARN of any revision of the task definition; every revision of its family is watched. */
  readonly taskDefinitionArn: pulumi.Input<string>;
  /** The task's log group, named in the alert. Example: `/cti-etl/dev/task`. */
  readonly logGroupName: pulumi.Input<string>;
  /** Name of the schedule's dead-letter queue; any message in it raises the alarm. */
  readonly deadLetterQueueName: pulumi.Input<string>;
  /**
   * The job's alarms on the task's metrics (see job-alarms.ts): its `Job` dimension, the
   * schedule's period, paused flag and margin. Example: `{ job: "cti-etl-dev", schedulePeriodSeconds: 86400 }`.
   */
  readonly jobAlarms: JobAlarmsArgs;
  /**
   * Name of the component that created the job alarms before this one owned them (the
   * `Monitoring` component, e.g. `cti-etl-monitoring`): they are aliased to it, so `pulumi up`
   * moves them instead of replacing them. A replaced alarm keeps its physical name, so deleting
   * the old one would delete the new one. Default: none (a new stack).
   */
  readonly jobAlarmsFormerParent?: string;
  /**
   * E-mail address subscribed to the alert topic; AWS sends it a confirmation link first.
   * Default: none (subscribe later, e.g. a chat or paging integration, to the topic output).
   */
  readonly alertEmail?: string;
  /**
   * With `fanOut`: the state machine whose failed executions are the failed runs, reported
   * instead of the tasks' exits (one run, one message). Default: none, failed tasks are reported.
   */
  readonly fanOutStateMachineArn?: pulumi.Input<string>;
}

/**
 * Who hears about the job, and when: one SNS topic encrypted with its own KMS key, and every
 * source that publishes to it, each created here so the topic's policy names exactly them:
 * - the failed-run rule: every run that stopped with a non-zero exit code or never started (with
 *   `fanOut`: every execution of the state machine that failed, timed out or was aborted);
 * - the dead-letter alarm: a scheduled run Scheduler could not start;
 * - the job's alarms: no recent success, rejected ratio, anomalous run (job-alarms.ts).
 * One failed run is one message: the rule reports it, and no alarm repeats it (job-alarms.ts says why).
 */
export class Alerting extends pulumi.ComponentResource {
  /** ARN of the alert topic. */
  readonly topicArn: pulumi.Output<string>;
  /** Name of the EventBridge rule that matches failed runs. */
  readonly failureRuleName: pulumi.Output<string>;
  /** Name of the dead-letter queue alarm. */
  readonly deadLetterAlarmName: pulumi.Output<string>;
  /** ARNs of every alarm that notifies the topic (the dead-letter alarm and the job's), sorted. */
  readonly alarmArns: pulumi.Output<string[]>;

  constructor(name: string, args: AlertingArgs, opts?: pulumi.ComponentResourceOptions) {
    // Named FailureAlerts before it owned the job's alarms; the alias keeps the topic, key and
    // rule in place (their children inherit it).
    super("cti-etl:scheduler:Alerting", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "cti-etl:scheduler:FailureAlerts" }] });
    const parent = { parent: this };

    const key = createTopicKey(name, args, parent);
    const topic = createTopic(name, args, key, parent);
    const rule = createFailedRunRule(name, args, topic, parent);
    const deadLetter = createDeadLetterAlarm(name, args, topic, parent);
    const jobAlarms = alarmSpecs(args.jobAlarms).map((spec) => createJobAlarm(name, args, spec, topic, parent));
    const alarmArns = pulumi.all([deadLetter, ...jobAlarms].map((alarm) => alarm.arn)).apply((arns) => [...arns].sort());
    allowPublishing(name, args, { topic, rule, alarmArns }, parent);
    subscribeAlertEmail(name, args, topic, parent);

    this.topicArn = topic.arn;
    this.failureRuleName = rule.name;
    this.deadLetterAlarmName = deadLetter.name;
    this.alarmArns = alarmArns;
    this.registerOutputs({
      topicArn: this.topicArn,
      failureRuleName: this.failureRuleName,
      deadLetterAlarmName: this.deadLetterAlarmName,
      alarmArns: this.alarmArns,
    });
  }
}

function createTopicKey(name: string, args: AlertingArgs, opts: pulumi.CustomResourceOptions) {
  const policy = pulumi
    .all([args.accountId, args.partition])
    .apply(([accountId, partition]) => renderPolicyDocument(alertKeyStatements({ accountId, partition })));
  return new aws.kms.Key(
    `${name}-key`,
    { description: `Encrypts the ${args.stackLabel} alert topic`, enableKeyRotation: true, policy },
    opts,
  );
}

function createTopic(name: string, args: AlertingArgs, key: aws.kms.Key, opts: pulumi.CustomResourceOptions) {
  return new aws.sns.Topic(`${name}-topic`, { name: `${args.namePrefix}-alerts`, kmsMasterKeyId: key.arn }, opts);
}

function createFailedRunRule(name: string, args: AlertingArgs, topic: aws.sns.Topic, opts: pulumi.CustomResourceOptions) {
  const fanOut = args.fanOutStateMachineArn;
  const pattern = fanOut
    ? pulumi.output(fanOut).apply((arn) => JSON.stringify(executionFailurePattern(arn)))
    : pulumi
        .all([args.clusterArn, args.taskDefinitionArn])
        .apply(([clusterArn, taskDefinitionArn]) => JSON.stringify(taskFailurePattern({ clusterArn, taskDefinitionArn })));
  const rule = new aws.cloudwatch.EventRule(
    `${name}-failed-run-rule`,
    {
      name: `${args.namePrefix}-failed-run`,
      description: fanOut
        ? `A ${args.stackLabel} fan-out execution failed, timed out or was aborted`
        : `A ${args.stackLabel} task stopped with a non-zero exit code or failed to start`,
      eventPattern: pattern,
    },
    opts,
  );
  const transformer = fanOut
    ? pulumi.output(executionFailureNotification({ stack: args.stackLabel, region: args.region }))
    : pulumi.output(args.logGroupName).apply((logGroupName) => failureNotification({ stack: args.stackLabel, logGroupName, region: args.region }));
  new aws.cloudwatch.EventTarget(
    `${name}-failed-run-target`,
    {
      rule: rule.name,
      arn: topic.arn,
      inputTransformer: {
        inputPaths: transformer.apply((t) => ({ ...t.inputPaths })),
        inputTemplate: transformer.apply((t) => t.inputTemplate),
      },
    },
    opts,
  );
  return rule;
}

function createDeadLetterAlarm(name: string, args: AlertingArgs, topic: aws.sns.Topic, opts: pulumi.CustomResourceOptions) {
  const settings = pulumi.output(args.deadLetterQueueName).apply(deadLetterAlarm);
  return new aws.cloudwatch.MetricAlarm(
    `${name}-dead-letter-alarm`,
    {
      name: `${args.namePrefix}-run-never-started`,
      alarmDescription: settings.alarmDescription,
      namespace: settings.namespace,
      metricName: settings.metricName,
      dimensions: settings.dimensions.apply((d) => ({ ...d })),
      statistic: settings.statistic,
      period: settings.period,
      evaluationPeriods: settings.evaluationPeriods,
      threshold: settings.threshold,
      comparisonOperator: settings.comparisonOperator,
      treatMissingData: settings.treatMissingData,
      alarmActions: [topic.arn],
    },
    opts,
  );
}

function createJobAlarm(name: string, args: AlertingArgs, spec: AlarmSpec, topic: aws.sns.Topic, opts: pulumi.CustomResourceOptions) {
  const single = spec.metric;
  const former = args.jobAlarmsFormerParent;
  const aliases = former === undefined ? [] : [{ name: `${former}-${spec.key}`, parent: pulumi.createUrn(former, "cti-etl:infra:Monitoring") }];
  return new aws.cloudwatch.MetricAlarm(
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
      alarmActions: [topic.arn],
      ...(spec.notifyOnRecovery ? { okActions: [topic.arn] } : {}),
    },
    { ...opts, aliases },
  );
}

/** The topic's policy: the rule and exactly the alarms created above may publish. */
function allowPublishing(
  name: string,
  args: AlertingArgs,
  deps: { topic: aws.sns.Topic; rule: aws.cloudwatch.EventRule; alarmArns: pulumi.Output<string[]> },
  opts: pulumi.CustomResourceOptions,
) {
  const policy = pulumi
    .all([deps.topic.arn, args.accountId, deps.rule.arn, deps.alarmArns])
    .apply(([topicArn, accountId, failureRuleArn, alarmArns]) =>
      renderPolicyDocument(alertTopicStatements({ topicArn, accountId, failureRuleArn, alarmArns })),
    );
  return new aws.sns.TopicPolicy(`${name}-topic-policy`, { arn: deps.topic.arn, policy }, opts);
}

function subscribeAlertEmail(name: string, args: AlertingArgs, topic: aws.sns.Topic, opts: pulumi.CustomResourceOptions) {
  if (args.alertEmail === undefined) return undefined;
  return new aws.sns.TopicSubscription(`${name}-email`, { topic: topic.arn, protocol: "email", endpoint: args.alertEmail }, opts);
}
