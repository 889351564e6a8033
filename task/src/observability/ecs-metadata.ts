/**
 * The ECS task metadata endpoint (version 4): on ECS, the agent sets
 * `ECS_CONTAINER_METADATA_URI_V4`, and `GET ${it}/task` describes the task. The job takes the
 * task ARN (for every log line and the ledger) and the task's CPU and memory limits (to size its
 * worker threads and memory budget). Off ECS the variable is unset and nothing is read.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4-fargate-response.html
 */
import { type } from "arktype";
import type { Dispatcher } from "undici";
import { sendHttp } from "./http-call.ts";
import type { RetryPolicy } from "./http-retry.ts";

/** What the job uses of the task's metadata. */
export interface TaskMetadata {
  /** e.g. `arn:aws:ecs:us-east-1:123456789012:task/cti-etl-prod/0123456789abcdef0123456789abcdef`. */
  taskArn: string;
  /** Cluster ARN or name. */
  cluster?: string;
  /** Task definition family, e.g. `cti-etl-prod` (the default job name). */
  family?: string;
  /** Task definition revision, e.g. `"7"`. */
  revision?: string;
  /** Task CPU limit in vCPUs, e.g. 0.25, 1, 4. Absent when the task definition sets none. */
  cpuLimitVcpu?: number;
  /** Task memory limit in MiB, e.g. 2048. Absent when the task definition sets none. */
  memoryLimitMiB?: number;
  /** e.g. `us-east-1a`. */
  availabilityZone?: string;
  /** `FARGATE` or `EC2`. */
  launchType?: string;
}

const positive = type("number > 0");

/**
 * The `/task` response, loosely: unknown members are ignored (AWS adds some over time).
 * On Fargate task-level `Limits.CPU` is in vCPUs and `Limits.Memory` in MiB.
 */
const taskResponse = type({
  TaskARN: /^arn:aws[a-z-]*:ecs:/,
  "Cluster?": "string",
  "Family?": "string",
  "Revision?": "string | number",
  "Limits?": { "CPU?": "number", "Memory?": "number" },
  "AvailabilityZone?": "string",
  "LaunchType?": "string",
});

/** Reads a `/task` response body (already JSON-parsed); a description of the problem when it is not one. */
export function parseTaskMetadata(body: unknown): { ok: true; metadata: TaskMetadata } | { ok: false; problem: string } {
  const parsed = taskResponse(body);
  if (parsed instanceof type.errors) return { ok: false, problem: `not an ECS task metadata response: ${parsed.summary}` };
  const cpu = parsed.Limits?.CPU;
  const memory = parsed.Limits?.Memory;
  const metadata: TaskMetadata = { taskArn: parsed.TaskARN };
  if (parsed.Cluster) metadata.cluster = parsed.Cluster;
  if (parsed.Family) metadata.family = parsed.Family;
  if (parsed.Revision !== undefined && parsed.Revision !== "") metadata.revision = String(parsed.Revision);
  if (cpu !== undefined && positive.allows(cpu)) metadata.cpuLimitVcpu = cpu;
  if (memory !== undefined && positive.allows(memory)) metadata.memoryLimitMiB = memory;
  if (parsed.AvailabilityZone) metadata.availabilityZone = parsed.AvailabilityZone;
  if (parsed.LaunchType) metadata.launchType = parsed.LaunchType;
  return { ok: true, metadata };
}

/** The URL of the task document: `${base}/task`, whether or not `base` ends in `/`. */
export function taskMetadataUrl(base: string): string {
  return `${base.replace(/\/+$/, "")}/task`;
}

/**
 * The endpoint answers within milliseconds from inside the task, but can briefly fail right
 * after the container starts: short attempts, a few retries, then carry on without it.
 */
export const TASK_METADATA_RETRY: RetryPolicy = { maxAttempts: 3, attemptTimeoutMs: 2000, baseDelayMs: 100, maxDelayMs: 1000 };

/**
 * Reads the task's metadata from the v4 endpoint `base` (the value of
 * `ECS_CONTAINER_METADATA_URI_V4`). Never throws: a result that says what went wrong, which the
 * caller logs before running without it.
 */
export async function readTaskMetadata(
  base: string,
  options: { policy?: RetryPolicy; dispatcher?: Dispatcher } = {},
): Promise<{ ok: true; metadata: TaskMetadata } | { ok: false; problem: string }> {
  const result = await sendHttp({ method: "GET", url: taskMetadataUrl(base) }, options.policy ?? TASK_METADATA_RETRY, {
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  if (!result.ok) return { ok: false, problem: `task metadata endpoint: ${result.error} (after ${result.attempts} attempts)` };
  let body: unknown;
  try {
    body = JSON.parse(result.body);
  } catch {
    return { ok: false, problem: "task metadata endpoint: the response is not JSON" };
  }
  return parseTaskMetadata(body);
}
