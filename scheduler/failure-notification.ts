/**
 * What the alert e-mail says when a run fails (pure): an EventBridge input transformer that
 * turns the `ECS Task State Change` event into one readable paragraph, with the task, why it
 * stopped, its exit code and the command that shows its logs.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */

/** Where the message points the reader. */
export interface FailureNotificationArgs {
  /** Stack label, e.g. `cti-etl/dev`. */
  readonly stack: string;
  /** The task's CloudWatch Logs group, e.g. `/cti-etl/dev/task`. */
  readonly logGroupName: string;
  /** Region of the stack, for the `aws logs` command. */
  readonly region: string;
}

/** An EventBridge target's input transformer. */
export interface InputTransformer {
  /** Placeholder name to JSON path in the event. At most 100. */
  readonly inputPaths: Readonly<Record<string, string>>;
  /** The message; `<name>` is replaced by the value at `inputPaths[name]`. */
  readonly inputTemplate: string;
}

/**
 * The transformer. The template is one JSON string, so SNS sends it as plain text; values are
 * filled in by EventBridge, which escapes them for the string.
 */
export function failureNotification(args: FailureNotificationArgs): InputTransformer {
  const text = [
    `cti-etl run failed (${args.stack}).`,
    "Task <task> (<taskDefinition>) stopped at <stoppedAt>: <stopCode>, <stoppedReason>.",
    "Container exit code: <exitCode> (1: the job failed or passed its deadline; 2: bad input or configuration; empty: it never started).",
    "Started by: <startedBy>.",
    `Logs: aws logs tail ${args.logGroupName} --region ${args.region} --since 1d`,
  ].join(" ");
  return {
    inputPaths: {
      task: "$.detail.taskArn",
      taskDefinition: "$.detail.taskDefinitionArn",
      stoppedAt: "$.detail.stoppedAt",
      stopCode: "$.detail.stopCode",
      stoppedReason: "$.detail.stoppedReason",
      exitCode: "$.detail.containers[0].exitCode",
      startedBy: "$.detail.startedBy",
    },
    inputTemplate: JSON.stringify(text),
  };
}

/**
 * With `fanOut`: the message for a failed execution: the run (the execution's name), how it
 * ended and why, and the commands that show it and redrive it (only its failed shards run again).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
 */
export function executionFailureNotification(args: Pick<FailureNotificationArgs, "stack" | "region">): InputTransformer {
  const text = [
    `cti-etl run <run> failed (${args.stack}): the execution ended <status> at <stopped>: <error> <cause>.`,
    `Nothing was loaded unless it says commit failed after loading. See it: aws stepfunctions describe-execution --execution-arn <execution> --region ${args.region}.`,
    `Once the cause is fixed, run only what failed again: aws stepfunctions redrive-execution --execution-arn <execution> --region ${args.region}`,
  ].join(" ");
  return {
    inputPaths: {
      run: "$.detail.name",
      execution: "$.detail.executionArn",
      status: "$.detail.status",
      stopped: "$.detail.stopDate",
      error: "$.detail.error",
      cause: "$.detail.cause",
    },
    inputTemplate: JSON.stringify(text),
  };
}
