/**
 * `ECS Task State Change` events as EventBridge delivers them, in the shape of AWS's documented
 * example (a Fargate task, one container), for testing the failure rule.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html
 */

export const account = "123456789012";
export const region = "us-east-1";
export const clusterArn = `arn:aws:ecs:${region}:${account}:cluster/cti-etl-dev`;
export const taskDefinitionArn = (family = "cti-etl-dev", revision = 3) => `arn:aws:ecs:${region}:${account}:task-definition/${family}:${revision}`;

/** What varies between the samples. */
export interface TaskEventShape {
  readonly cluster?: string;
  readonly taskDefinition?: string;
  readonly lastStatus?: "PROVISIONING" | "PENDING" | "RUNNING" | "STOPPED";
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  /** The container's exit code; `undefined`: the container never ran (no `exitCode` key). */
  readonly exitCode?: number;
  readonly containerReason?: string;
}

/** One task state change event. */
export function taskStateChange(shape: TaskEventShape = {}): Record<string, unknown> {
  const cluster = shape.cluster ?? clusterArn;
  const taskArn = `arn:aws:ecs:${region}:${account}:task/${cluster.split("/").pop()}/7d1a9f5b2c6e4f0a8b3c1d2e3f4a5b6c`;
  const lastStatus = shape.lastStatus ?? "STOPPED";
  const stopped = lastStatus === "STOPPED";
  const container: Record<string, unknown> = {
    containerArn: `arn:aws:ecs:${region}:${account}:container/${cluster.split("/").pop()}/7d1a9f5b2c6e4f0a8b3c1d2e3f4a5b6c/0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f`,
    lastStatus: stopped ? "STOPPED" : lastStatus,
    name: "etl",
    image: `${account}.dkr.ecr.${region}.amazonaws.com/cti-etl@sha256:${"ab".repeat(32)}`,
    taskArn,
    cpu: "0",
    ...(shape.exitCode === undefined ? {} : { exitCode: shape.exitCode }),
    ...(shape.containerReason ? { reason: shape.containerReason } : {}),
  };
  return {
    version: "0",
    id: "3317b2af-7005-947d-b652-f55e762e571a",
    "detail-type": "ECS Task State Change",
    source: "aws.ecs",
    account,
    time: "2026-01-20T03:04:55Z",
    region,
    resources: [taskArn],
    detail: {
      attachments: [{ id: "1789bcae-ddfb-4d10-8ebe-8ac87ddba5b8", type: "eni", status: stopped ? "DELETED" : "ATTACHED", details: [] }],
      attributes: [{ name: "ecs.cpu-architecture", value: "arm64" }],
      availabilityZone: `${region}a`,
      clusterArn: cluster,
      connectivity: "CONNECTED",
      containers: [container],
      cpu: "1024",
      createdAt: "2026-01-20T03:00:02.123Z",
      desiredStatus: stopped ? "STOPPED" : "RUNNING",
      group: `family:${(shape.taskDefinition ?? taskDefinitionArn()).split("/").pop()!.split(":")[0]}`,
      launchType: "FARGATE",
      lastStatus,
      memory: "2048",
      overrides: { containerOverrides: [{ name: "etl" }] },
      platformVersion: "1.4.0",
      startedBy: "chronos-schedule",
      taskArn,
      taskDefinitionArn: shape.taskDefinition ?? taskDefinitionArn(),
      updatedAt: "2026-01-20T03:04:55.456Z",
      version: stopped ? 5 : 3,
      ...(stopped
        ? {
            stopCode: shape.stopCode ?? "EssentialContainerExited",
            stoppedAt: "2026-01-20T03:04:55.456Z",
            stoppedReason: shape.stoppedReason ?? "Essential container in task exited",
            stoppingAt: "2026-01-20T03:04:40.000Z",
          }
        : {}),
    },
  };
}

/** The named samples the failure rule is tested with. */
export const samples = {
  success: taskStateChange({ exitCode: 0 }),
  failure: taskStateChange({ exitCode: 1 }),
  badInput: taskStateChange({ exitCode: 2 }),
  outOfMemory: taskStateChange({ exitCode: 137, containerReason: "OutOfMemoryError: Container killed due to memory usage" }),
  stoppedByOperator: taskStateChange({ exitCode: 143, stopCode: "UserInitiated", stoppedReason: "Task stopped by user" }),
  failedToStart: taskStateChange({
    stopCode: "TaskFailedToStart",
    stoppedReason: "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref",
  }),
  running: taskStateChange({ lastStatus: "RUNNING" }),
  anotherClusterFailure: taskStateChange({ exitCode: 1, cluster: `arn:aws:ecs:${region}:${account}:cluster/other-cluster` }),
  anotherFamilyFailure: taskStateChange({ exitCode: 1, taskDefinition: taskDefinitionArn("cti-etl-dev-backfill", 1) }),
  earlierRevisionFailure: taskStateChange({ exitCode: 1, taskDefinition: taskDefinitionArn("cti-etl-dev", 1) }),
} as const;
