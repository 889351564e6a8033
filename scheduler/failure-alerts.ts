import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { renderPolicyDocument } from "../infra/iam/policy-document.ts";
import { deadLetterAlarm } from "./dead-letter-alarm.ts";
import { taskFailurePattern } from "./event-pattern.ts";
import { failureNotification } from "./failure-notification.ts";
import { alertKeyStatements, alertTopicStatements } from "./iam.ts";

/** Arguments of {@link FailureAlerts}. */
export interface FailureAlertsArgs {
  /** Prefix of the physical names (topic, rule, alarm). Example: `cti-etl-dev`. */
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
   * ARNs of the other CloudWatch alarms that notify the topic (the job's monitoring alarms):
   * with the dead-letter alarm, exactly these may publish to it. Default: none.
   */
  readonly alarmArns?: pulumi.Input<readonly string[]>;
  /**
   * E-mail address subscribed to the alert topic; AWS sends it a confirmation link first.
   * Default: none (subscribe later, e.g. a chat or paging integration, to the topic output).
   */
  readonly alertEmail?: string;
}

/**
 * Knowing when a run fails: an SNS topic encrypted with its own KMS key, an EventBridge rule
 * that publishes every failed run of the task to it, a CloudWatch alarm that publishes when the
 * schedule's dead-letter queue is not empty, the topic's policy (the rule, that alarm and the
 * `alarmArns` may publish), and the alert e-mail's subscription.
 */
export class FailureAlerts extends pulumi.ComponentResource {
  /** ARN of the alert topic. */
  readonly topicArn: pulumi.Output<string>;
  /** Name of the EventBridge rule that matches failed runs. */
  readonly failureRuleName: pulumi.Output<string>;
  /** Name of the dead-letter queue alarm. */
  readonly deadLetterAlarmName: pulumi.Output<string>;

  constructor(name: string, args: FailureAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cti-etl:scheduler:FailureAlerts", name, {}, opts);
    const parent = { parent: this };

    const key = createTopicKey(name, args, parent);
    const topic = createTopic(name, args, key, parent);
    const rule = createFailedRunRule(name, args, topic, parent);
    const alarm = createDeadLetterAlarm(name, args, topic, parent);
    allowPublishing(name, args, { topic, rule, alarm }, parent);
    subscribeAlertEmail(name, args, topic, parent);

    this.topicArn = topic.arn;
    this.failureRuleName = rule.name;
    this.deadLetterAlarmName = alarm.name;
    this.registerOutputs({ topicArn: this.topicArn, failureRuleName: this.failureRuleName, deadLetterAlarmName: this.deadLetterAlarmName });
  }
}

function createTopicKey(name: string, args: FailureAlertsArgs, opts: pulumi.CustomResourceOptions) {
  const policy = pulumi
    .all([args.accountId, args.partition])
    .apply(([accountId, partition]) => renderPolicyDocument(alertKeyStatements({ accountId, partition })));
  return new aws.kms.Key(
    `${name}-key`,
    { description: `Encrypts the ${args.stackLabel} alert topic`, enableKeyRotation: true, policy },
    opts,
  );
}

function createTopic(name: string, args: FailureAlertsArgs, key: aws.kms.Key, opts: pulumi.CustomResourceOptions) {
  return new aws.sns.Topic(`${name}-topic`, { name: `${args.namePrefix}-alerts`, kmsMasterKeyId: key.arn }, opts);
}

function createFailedRunRule(name: string, args: FailureAlertsArgs, topic: aws.sns.Topic, opts: pulumi.CustomResourceOptions) {
  const pattern = pulumi
    .all([args.clusterArn, args.taskDefinitionArn])
    .apply(([clusterArn, taskDefinitionArn]) => JSON.stringify(taskFailurePattern({ clusterArn, taskDefinitionArn })));
  const rule = new aws.cloudwatch.EventRule(
    `${name}-failed-run-rule`,
    {
      name: `${args.namePrefix}-failed-run`,
      description: `A ${args.stackLabel} task stopped with a non-zero exit code or failed to start`,
      eventPattern: pattern,
    },
    opts,
  );
  const transformer = pulumi.output(args.logGroupName).apply((logGroupName) =>
    failureNotification({ stack: args.stackLabel, logGroupName, region: args.region }),
  );
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

function createDeadLetterAlarm(name: string, args: FailureAlertsArgs, topic: aws.sns.Topic, opts: pulumi.CustomResourceOptions) {
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

function allowPublishing(
  name: string,
  args: FailureAlertsArgs,
  deps: { topic: aws.sns.Topic; rule: aws.cloudwatch.EventRule; alarm: aws.cloudwatch.MetricAlarm },
  opts: pulumi.CustomResourceOptions,
) {
  const policy = pulumi
    .all([deps.topic.arn, args.accountId, deps.rule.arn, deps.alarm.arn, pulumi.output(args.alarmArns ?? [])])
    .apply(([topicArn, accountId, failureRuleArn, deadLetterAlarmArn, otherAlarmArns]) =>
      renderPolicyDocument(alertTopicStatements({ topicArn, accountId, failureRuleArn, alarmArns: [deadLetterAlarmArn, ...otherAlarmArns] })),
    );
  return new aws.sns.TopicPolicy(`${name}-topic-policy`, { arn: deps.topic.arn, policy }, opts);
}

function subscribeAlertEmail(name: string, args: FailureAlertsArgs, topic: aws.sns.Topic, opts: pulumi.CustomResourceOptions) {
  if (args.alertEmail === undefined) return undefined;
  return new aws.sns.TopicSubscription(`${name}-email`, { topic: topic.arn, protocol: "email", endpoint: args.alertEmail }, opts);
}
