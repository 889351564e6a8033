/**
 * How the schedule starts the task and what it does when it cannot (pure): the schedule's
 * state, flexible time window and retry policy, and the ECS RunTask target.
 * @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html
 * @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_EcsParameters.html
 */

/** When and how persistently the schedule fires. */
export interface ScheduleTiming {
  /** `true`: the schedule exists but starts nothing (`DISABLED`). */
  readonly paused: boolean;
  /** 0: start on the minute (mode `OFF`); 1–1440: anywhere within that many minutes after it (mode `FLEXIBLE`). */
  readonly flexibleWindowMinutes: number;
  /** Times Scheduler retries a RunTask call that failed (throttled, no capacity), 0–185. */
  readonly retryAttempts: number;
  /** How long after the scheduled time Scheduler keeps retrying, seconds, 60–86400. */
  readonly maxEventAgeSeconds: number;
}

/** The schedule's `state`, `flexibleTimeWindow` and the target's `retryPolicy`, in the AWS API's shape. */
export interface ScheduleSettings {
  readonly state: "ENABLED" | "DISABLED";
  readonly flexibleTimeWindow: { readonly mode: "OFF" } | { readonly mode: "FLEXIBLE"; readonly maximumWindowInMinutes: number };
  readonly retryPolicy: { readonly maximumRetryAttempts: number; readonly maximumEventAgeInSeconds: number };
}

/** Limits of the Scheduler API. */
export const scheduleLimits = {
  flexibleWindowMinutes: { min: 0, max: 1440 },
  retryAttempts: { min: 0, max: 185 },
  maxEventAgeSeconds: { min: 60, max: 86_400 },
} as const;

/**
 * Settings from the stack's timing config. Throws on values outside the API's limits (config
 * validation refuses them first; this guards other callers).
 */
export function scheduleSettings(timing: ScheduleTiming): ScheduleSettings {
  for (const [key, { min, max }] of Object.entries(scheduleLimits)) {
    const value = timing[key as keyof typeof scheduleLimits];
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${key} must be a whole number from ${min} to ${max} (was ${value})`);
  }
  return {
    state: timing.paused ? "DISABLED" : "ENABLED",
    flexibleTimeWindow:
      timing.flexibleWindowMinutes === 0 ? { mode: "OFF" } : { mode: "FLEXIBLE", maximumWindowInMinutes: timing.flexibleWindowMinutes },
    retryPolicy: { maximumRetryAttempts: timing.retryAttempts, maximumEventAgeInSeconds: timing.maxEventAgeSeconds },
  };
}

/** What the run-task target is built from. Plain values. */
export interface RunTaskTargetArgs {
  /** ARN of the cluster (the target's `arn`). */
  readonly clusterArn: string;
  /** ARN of the task definition revision to run: the current one. */
  readonly taskDefinitionArn: string;
  /** Role Scheduler assumes to call RunTask. */
  readonly roleArn: string;
  /** Private subnets of the task's network interface. */
  readonly subnetIds: readonly string[];
  /** Security group of the task's network interface. */
  readonly securityGroupId: string;
  /** Queue that receives runs Scheduler could not start. */
  readonly deadLetterQueueArn: string;
  /** The target's retry policy. */
  readonly retryPolicy: ScheduleSettings["retryPolicy"];
}

/**
 * The schedule's target: one Fargate task of the given revision on the cluster, in the private
 * subnets with the task's security group and no public IP, with tags propagated from the task
 * definition and ECS managed tags on.
 */
export function runTaskTarget(args: RunTaskTargetArgs) {
  if (args.subnetIds.length === 0) throw new Error("the run-task target needs at least one subnet");
  return {
    arn: args.clusterArn,
    roleArn: args.roleArn,
    ecsParameters: {
      taskDefinitionArn: args.taskDefinitionArn,
      launchType: "FARGATE",
      taskCount: 1,
      networkConfiguration: { subnets: [...args.subnetIds], securityGroups: [args.securityGroupId], assignPublicIp: false },
      propagateTags: "TASK_DEFINITION",
      enableEcsManagedTags: true,
    },
    retryPolicy: { ...args.retryPolicy },
    deadLetterConfig: { arn: args.deadLetterQueueArn },
  };
}

/** What the start-execution target (config `fanOut`) is built from. Plain values. */
export interface StartExecutionTargetArgs {
  readonly stateMachineArn: string;
  readonly roleArn: string;
  readonly deadLetterQueueArn: string;
  readonly retryPolicy: ScheduleSettings["retryPolicy"];
}

/**
 * The schedule's target when the run fans out: an execution of the state machine (Scheduler's
 * templated Step Functions `StartExecution` target), named by Scheduler: the name is the run id.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html
 */
export function startExecutionTarget(args: StartExecutionTargetArgs) {
  return {
    arn: args.stateMachineArn,
    roleArn: args.roleArn,
    input: "{}",
    retryPolicy: { ...args.retryPolicy },
    deadLetterConfig: { arn: args.deadLetterQueueArn },
  };
}
