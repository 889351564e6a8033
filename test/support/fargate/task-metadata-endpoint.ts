/**
 * A stand-in for the ECS task metadata endpoint v4 that Fargate gives every container
 * (`ECS_CONTAINER_METADATA_URI_V4`): a small HTTP server on 127.0.0.1, in the test process,
 * answering `GET ${uri}/task` with the task document the job reads (observability/ecs-metadata.ts:
 * `TaskARN`, `Limits.CPU` in vCPUs, `Limits.Memory` in MiB) and `GET ${uri}` with the container's.
 * The documents follow AWS's Fargate examples; the real endpoint has more members.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4-fargate.html
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4-fargate-examples.html
 */
import { randomBytes } from "node:crypto";
import { startHttpStub, type HttpStub } from "../http-stub.ts";
import type { TaskDefinitionInputs } from "./docker-run-args.ts";

/** What the task document is built from. */
export interface TaskDocumentArgs {
  readonly taskDefinition: TaskDefinitionInputs;
  /** Cluster name, e.g. `cti-etl-dev`. */
  readonly cluster: string;
  /** 32 hex digits, as ECS names tasks. */
  readonly taskId: string;
  readonly region: string;
  readonly accountId: string;
  /** Task definition revision. Default "1". */
  readonly revision?: string;
  /** Leave `Limits.Memory` out (as for a task definition without task memory). Default false. */
  readonly withoutMemoryLimit?: boolean;
  /** Leave `Limits.CPU` out. Default false. */
  readonly withoutCpuLimit?: boolean;
}

/**
 * The `/task` document of a Fargate task run from `taskDefinition` (pure): task-level limits
 * in vCPUs (cpu units / 1024) and MiB, as Fargate reports them.
 */
export function taskDocument(args: TaskDocumentArgs): Record<string, unknown> {
  const td = args.taskDefinition;
  const containers = JSON.parse(td.containerDefinitions) as { name: string }[];
  const clusterArn = `arn:aws:ecs:${args.region}:${args.accountId}:cluster/${args.cluster}`;
  const limits: Record<string, number> = {};
  if (!args.withoutCpuLimit && td.cpu !== undefined) limits.CPU = Number(td.cpu) / 1024;
  if (!args.withoutMemoryLimit && td.memory !== undefined) limits.Memory = Number(td.memory);
  return {
    Cluster: clusterArn,
    TaskARN: taskArn(args),
    Family: td.family,
    Revision: args.revision ?? "1",
    DesiredStatus: "RUNNING",
    KnownStatus: "RUNNING",
    Limits: limits,
    AvailabilityZone: `${args.region}a`,
    LaunchType: "FARGATE",
    Containers: containers.map((c) => containerDocument(args, c.name)),
  };
}

function taskArn(args: TaskDocumentArgs): string {
  return `arn:aws:ecs:${args.region}:${args.accountId}:task/${args.cluster}/${args.taskId}`;
}

function containerDocument(args: TaskDocumentArgs, name: string): Record<string, unknown> {
  return {
    DockerId: `${args.taskId}-${name}`,
    Name: name,
    DockerName: name,
    Labels: {
      "com.amazonaws.ecs.cluster": `arn:aws:ecs:${args.region}:${args.accountId}:cluster/${args.cluster}`,
      "com.amazonaws.ecs.container-name": name,
      "com.amazonaws.ecs.task-arn": taskArn(args),
      "com.amazonaws.ecs.task-definition-family": args.taskDefinition.family,
      "com.amazonaws.ecs.task-definition-version": args.revision ?? "1",
    },
    DesiredStatus: "RUNNING",
    KnownStatus: "RUNNING",
    Type: "NORMAL",
  };
}

/** A running stand-in. */
export interface TaskMetadataEndpoint {
  /** The value for `ECS_CONTAINER_METADATA_URI_V4`, e.g. `http://127.0.0.1:40123/v4/<id>`. */
  readonly uri: string;
  /** The task ARN it reports. */
  readonly taskArn: string;
  /** The `/task` document it serves. */
  readonly document: Record<string, unknown>;
  /** Requests for the task document so far. */
  taskRequests(): number;
  /** Stops the server. */
  stop(): Promise<void>;
}

/** Starts a stand-in serving {@link taskDocument} for `args` (a random task id when none is given). */
export async function startTaskMetadataEndpoint(args: Omit<TaskDocumentArgs, "taskId"> & { taskId?: string }): Promise<TaskMetadataEndpoint> {
  const full: TaskDocumentArgs = { ...args, taskId: args.taskId ?? randomBytes(16).toString("hex") };
  const stub: HttpStub = await startHttpStub();
  const document = taskDocument(full);
  const base = `/v4/${full.taskId}-${randomBytes(4).toString("hex")}`;
  stub.route("GET", `${base}/task`, { body: document });
  const first = (JSON.parse(full.taskDefinition.containerDefinitions) as { name: string }[])[0]!;
  stub.route("GET", base, { body: containerDocument(full, first.name) });
  return {
    uri: `${stub.url}${base}`,
    taskArn: String(document.TaskARN),
    document,
    taskRequests: () => stub.requestsTo(`${base}/task`).length,
    stop: () => stub.stop(),
  };
}
