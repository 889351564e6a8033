/**
 * The EventBridge event pattern that recognises a failed run (pure): an `ECS Task State Change`
 * event for this cluster and task family whose task stopped with a non-zero exit code or never
 * started.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
import { familyArnPrefix } from "./task-definition-arn.ts";

/** An EventBridge event pattern, as JSON. */
export type EventPattern = { readonly [field: string]: EventPattern | readonly unknown[] };

/** Which runs the pattern is about. */
export interface TaskFailureScope {
  /** ARN of the cluster the task runs on; tasks of other clusters never match. */
  readonly clusterArn: string;
  /**
   * ARN of any revision of the task definition, e.g. `…:task-definition/cti-etl-dev:7`. Every
   * revision of its family matches, so a run started just before a deploy is still watched.
   */
  readonly taskDefinitionArn: string;
}

/**
 * `stopCode` of a task that never reached RUNNING: the image could not be pulled, a secret or
 * log group could not be read, no capacity, a network interface could not be attached.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
 */
export const failedToStartStopCode = "TaskFailedToStart";

/**
 * A stopped task of this family on this cluster that either failed to start, or whose container
 * exited with anything but 0. The job exits 0 after a successful load and after a skipped run
 * (the lease was held), and non-zero on every failure, its deadline included.
 *
 * `anything-but` matches only a present `exitCode`: a container that never ran has none, and is
 * caught by the `TaskFailedToStart` branch instead.
 */
export function taskFailurePattern(scope: TaskFailureScope): EventPattern {
  return {
    source: ["aws.ecs"],
    "detail-type": ["ECS Task State Change"],
    detail: {
      clusterArn: [scope.clusterArn],
      taskDefinitionArn: [{ prefix: familyArnPrefix(scope.taskDefinitionArn) }],
      lastStatus: ["STOPPED"],
      $or: [{ stopCode: [failedToStartStopCode] }, { containers: { exitCode: [{ "anything-but": 0 }] } }],
    },
  };
}

/** The statuses of a fan-out execution that did not succeed. */
export const FAILED_EXECUTION_STATUSES = ["FAILED", "TIMED_OUT", "ABORTED"] as const;

/**
 * With `fanOut`: a failed run is an execution of the fan-out's state machine that ended FAILED,
 * TIMED_OUT or ABORTED (its failed tasks are not reported one by one: one run, one message).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 */
export function executionFailurePattern(stateMachineArn: string): EventPattern {
  return {
    source: ["aws.states"],
    "detail-type": ["Step Functions Execution Status Change"],
    detail: { stateMachineArn: [stateMachineArn], status: [...FAILED_EXECUTION_STATUSES] },
  };
}
