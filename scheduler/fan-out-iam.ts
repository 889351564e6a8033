/**
 * The fan-out state machine's role (pure), as statements over plain ARNs: start this family's
 * tasks on this cluster and wait for them (`ecs:runTask.sync`), pass exactly the two task roles
 * to ECS tasks, read the run's plan and write the map's results, start and watch its own child
 * executions (the Distributed Map). `scheduler/fan-out.ts` renders them once.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html
 */
import type { PolicyStatement } from "../infra/iam/policy-document.ts";
import { clusterTasksArn, runTaskStatements } from "./iam.ts";
import { parseTaskDefinitionArn } from "./task-definition-arn.ts";

/** What the state machine's role may touch. Plain ARNs and names. */
export interface FanOutRoleScope {
  /** The state machine's name (its ARN is known from it before it exists: the trust needs it). */
  readonly stateMachineName: string;
  readonly clusterArn: string;
  /** The revision the state machine runs; every revision of its family is allowed (see schedulerRoleStatements). */
  readonly taskDefinitionArn: string;
  readonly taskRoleArn: string;
  readonly executionRoleArn: string;
  /** The runs' bucket and output prefix (ending in `/`). */
  readonly bucketArn: string;
  readonly outputPrefix: string;
}

/** The rule `.sync` integrations with ECS create to hear of task state changes. */
export const SYNC_RULE_NAME = "StepFunctionsGetEventsForECSTaskRule";

/** `arn:<partition>:states:<region>:<account>:stateMachine:<name>`, from the task definition's partition, region and account. */
export function stateMachineArnOf(scope: Pick<FanOutRoleScope, "stateMachineName" | "taskDefinitionArn">): string {
  const { partition, region, accountId } = parseTaskDefinitionArn(scope.taskDefinitionArn);
  return `arn:${partition}:states:${region}:${accountId}:stateMachine:${scope.stateMachineName}`;
}

/**
 * Trust policy: Step Functions, for this state machine of this account only (its child
 * executions included: their ARNs extend the state machine's).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html
 */
export function fanOutTrust(scope: Pick<FanOutRoleScope, "stateMachineName" | "taskDefinitionArn">): PolicyStatement[] {
  const { accountId } = parseTaskDefinitionArn(scope.taskDefinitionArn);
  const arn = stateMachineArnOf(scope);
  return [
    {
      sid: "StepFunctionsForThisStateMachine",
      actions: ["sts:AssumeRole"],
      principal: { type: "Service", identifiers: ["states.amazonaws.com"] },
      conditions: [
        { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
        { test: "ArnLike", variable: "aws:SourceArn", values: [arn, `${arn}/*`] },
      ],
    },
  ];
}

export function fanOutRoleStatements(scope: FanOutRoleScope): PolicyStatement[] {
  const { partition, region, accountId } = parseTaskDefinitionArn(scope.taskDefinitionArn);
  const stateMachineArn = stateMachineArnOf(scope);
  const executions = `arn:${partition}:states:${region}:${accountId}:execution:${scope.stateMachineName}/*`;
  return [
    ...runTaskStatements(scope),
    {
      sid: "WatchAndStopItsTasks",
      actions: ["ecs:DescribeTasks", "ecs:StopTask"],
      resources: [clusterTasksArn(scope)],
    },
    {
      sid: "HearOfItsTasksStopping",
      actions: ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
      resources: [`arn:${partition}:events:${region}:${accountId}:rule/${SYNC_RULE_NAME}`],
    },
    { sid: "ReadTheRunsPlan", actions: ["s3:GetObject"], resources: [`${scope.bucketArn}/${scope.outputPrefix}*/plan.jsonl`] },
    {
      sid: "WriteTheMapsResults",
      actions: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      resources: [`${scope.bucketArn}/${scope.outputPrefix}_map-results/*`],
    },
    { sid: "StartItsChildExecutions", actions: ["states:StartExecution"], resources: [stateMachineArn] },
    { sid: "WatchAndStopItsChildExecutions", actions: ["states:DescribeExecution", "states:StopExecution"], resources: [executions] },
  ];
}
