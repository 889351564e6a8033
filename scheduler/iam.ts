/**
 * Who may start the task and who may raise alerts (pure): the schedule's role (trust and
 * permissions), the alert topic's policy and its KMS key's policy, as statements over plain ARNs.
 * `scheduler/index.ts` and `scheduler/alerting.ts` render them once.
 */
import type { PolicyStatement } from "../infra/iam/policy-document.ts";
import { familyArnPattern, parseTaskDefinitionArn } from "./task-definition-arn.ts";

/** Where the schedule's role is trusted. */
export interface SchedulerTrustScope {
  /** Account that owns the schedule (and the role). */
  readonly accountId: string;
  /** ARN of the schedule group the schedule lives in, e.g. `arn:aws:scheduler:us-east-1:123456789012:schedule-group/cti-etl-dev`. */
  readonly scheduleGroupArn: string;
}

/**
 * Trust policy of the schedule's role: EventBridge Scheduler, acting for a schedule in this
 * account's schedule group only (the confused-deputy guard AWS recommends).
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
 */
export function schedulerTrust(scope: SchedulerTrustScope): PolicyStatement[] {
  return [
    {
      sid: "SchedulerOfThisAccount",
      actions: ["sts:AssumeRole"],
      principal: { type: "Service", identifiers: ["scheduler.amazonaws.com"] },
      conditions: [
        { test: "StringEquals", variable: "aws:SourceAccount", values: [scope.accountId] },
        { test: "ArnEquals", variable: "aws:SourceArn", values: [scope.scheduleGroupArn] },
      ],
    },
  ];
}

/** What the schedule's role may touch. Plain ARNs. */
export interface SchedulerRoleScope {
  /** ARN of the cluster the task runs on. */
  readonly clusterArn: string;
  /** ARN of the task definition revision the schedule targets; every revision of its family is allowed. */
  readonly taskDefinitionArn: string;
  /** ARN of the task role (passed to the task). */
  readonly taskRoleArn: string;
  /** ARN of the execution role (passed to ECS). */
  readonly executionRoleArn: string;
  /** ARN of the schedule's dead-letter queue. */
  readonly deadLetterQueueArn: string;
}

/** The service roles may be passed to: ECS tasks. */
export const ecsTasksService = "ecs-tasks.amazonaws.com";

/**
 * The schedule's role: run this family's task on this cluster, tag the task it creates (tags
 * propagated from the task definition and ECS managed tags need `ecs:TagResource` on create),
 * pass exactly the task and execution roles and only to ECS tasks, and send a run that could not
 * be started to the dead-letter queue.
 *
 * RunTask is allowed on every revision of the family, not only the targeted one: during a
 * deploy the schedule moves to the new revision while this policy may still be updating.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/CWE_IAM_role.html
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html
 */
export function schedulerRoleStatements(scope: SchedulerRoleScope): PolicyStatement[] {
  return [
    ...runTaskStatements(scope),
    { sid: "SendUnstartedRunsToDeadLetterQueue", actions: ["sqs:SendMessage"], resources: [scope.deadLetterQueueArn] },
  ];
}

/**
 * What starting the task takes, whoever starts it (the schedule, or the fan-out's state machine):
 * RunTask of any revision of the family on this cluster, tagging the task it creates, and passing
 * exactly the task and execution roles, to ECS tasks only.
 */
export function runTaskStatements(scope: Pick<SchedulerRoleScope, "clusterArn" | "taskDefinitionArn" | "taskRoleArn" | "executionRoleArn">): PolicyStatement[] {
  return [
    {
      sid: "RunTaskOfThisFamilyOnThisCluster",
      actions: ["ecs:RunTask"],
      resources: [familyArnPattern(scope.taskDefinitionArn)],
      conditions: [{ test: "ArnEquals", variable: "ecs:cluster", values: [scope.clusterArn] }],
    },
    {
      sid: "TagTheTaskItStarts",
      actions: ["ecs:TagResource"],
      resources: [clusterTasksArn(scope)],
      conditions: [{ test: "StringEquals", variable: "ecs:CreateAction", values: ["RunTask"] }],
    },
    {
      sid: "PassTaskRolesToEcsTasks",
      actions: ["iam:PassRole"],
      resources: [scope.taskRoleArn, scope.executionRoleArn],
      conditions: [{ test: "StringEquals", variable: "iam:PassedToService", values: [ecsTasksService] }],
    },
  ];
}

/**
 * The schedule's role when the run fans out (config `fanOut`): start executions of the state
 * machine, and send a run that could not be started to the dead-letter queue. Running tasks and
 * passing roles are the state machine's (fan-out-iam.ts), not the schedule's.
 */
export function schedulerStartExecutionStatements(scope: { readonly stateMachineArn: string; readonly deadLetterQueueArn: string }): PolicyStatement[] {
  return [
    { sid: "StartTheFanOut", actions: ["states:StartExecution"], resources: [scope.stateMachineArn] },
    { sid: "SendUnstartedRunsToDeadLetterQueue", actions: ["sqs:SendMessage"], resources: [scope.deadLetterQueueArn] },
  ];
}

/** Every task of the cluster, in the task definition's partition, region and account: `arn:…:ecs:<region>:<account>:task/<cluster>/*`. */
export function clusterTasksArn(scope: Pick<SchedulerRoleScope, "clusterArn" | "taskDefinitionArn">): string {
  const { partition, region, accountId } = parseTaskDefinitionArn(scope.taskDefinitionArn);
  return `arn:${partition}:ecs:${region}:${accountId}:task/${clusterNameOf(scope.clusterArn)}/*`;
}

/** The cluster name in `arn:…:ecs:<region>:<account>:cluster/<name>`. */
export function clusterNameOf(clusterArn: string): string {
  const match = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/([A-Za-z0-9_-]{1,255})$/.exec(clusterArn);
  if (!match) throw new Error(`not an ECS cluster ARN: ${JSON.stringify(clusterArn)}`);
  return match[1]!;
}

/** Who may publish to the alert topic. */
export interface AlertTopicScope {
  /** ARN of the alert topic. */
  readonly topicArn: string;
  /** Account that owns the rule and the alarm. */
  readonly accountId: string;
  /** ARN of the EventBridge rule that reports failed runs. */
  readonly failureRuleArn: string;
  /**
   * ARNs of every CloudWatch alarm that notifies the topic (on alarm or on recovery): the
   * dead-letter alarm and the job's alarms (job-alarms.ts). Each may publish; no other alarm may.
   */
  readonly alarmArns: readonly string[];
}

/**
 * The alert topic's policy: the failure rule and the stack's alarms may publish, nothing else.
 * An alarm that notifies the topic but is missing from `alarmArns` can never notify anyone
 * (CloudWatch's publish is refused), so callers pass the ARNs of the alarms they created with
 * the topic as an action, never a list written by hand. Replaces SNS's default policy; the
 * account's own principals still manage the topic through their IAM policies.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html
 */
export function alertTopicStatements(scope: AlertTopicScope): PolicyStatement[] {
  // An empty ArnEquals list would be refused by SNS; the dead-letter alarm is always there.
  if (scope.alarmArns.length === 0) throw new Error("alertTopicStatements: no alarm ARNs (the dead-letter alarm at least notifies the topic)");
  return [
    {
      sid: "FailedRunRulePublishes",
      actions: ["sns:Publish"],
      principal: { type: "Service", identifiers: ["events.amazonaws.com"] },
      resources: [scope.topicArn],
      conditions: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [scope.failureRuleArn] }],
    },
    {
      // Several values of one key in a condition match when any of them does.
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
      sid: "StackAlarmsPublish",
      actions: ["sns:Publish"],
      principal: { type: "Service", identifiers: ["cloudwatch.amazonaws.com"] },
      resources: [scope.topicArn],
      conditions: [
        { test: "ArnEquals", variable: "aws:SourceArn", values: [...new Set(scope.alarmArns)].sort() },
        { test: "StringEquals", variable: "aws:SourceAccount", values: [scope.accountId] },
      ],
    },
  ];
}

/** Whose key the alert topic is encrypted with. */
export interface AlertKeyScope {
  /** Account that owns the key. */
  readonly accountId: string;
  /** `aws`, `aws-cn`, `aws-us-gov`. */
  readonly partition: string;
}

/** What a service needs of the key to publish to an encrypted topic. */
export const publishKeyActions = ["kms:Decrypt", "kms:GenerateDataKey"];

/**
 * The key policy of the alert topic's KMS key. EventBridge and CloudWatch cannot publish to a
 * topic encrypted with the AWS managed `alias/aws/sns` key, so the topic has its own key, and
 * both services may use it to publish. In a key policy `Resource: "*"` means this key.
 *
 * The first statement is AWS's default key policy: the account administers the key through
 * IAM. Without it no one could ever change or delete the key.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
export function alertKeyStatements(scope: AlertKeyScope): PolicyStatement[] {
  return [
    {
      sid: "AccountAdministersKeyThroughIam",
      actions: ["kms:*"],
      principal: { type: "AWS", identifiers: [`arn:${scope.partition}:iam::${scope.accountId}:root`] },
      resources: ["*"],
    },
    {
      sid: "AlertSourcesEncryptMessages",
      actions: publishKeyActions,
      principal: { type: "Service", identifiers: ["events.amazonaws.com", "cloudwatch.amazonaws.com"] },
      resources: ["*"],
    },
  ];
}
