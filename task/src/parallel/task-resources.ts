import { readFile } from "node:fs/promises";
import { availableParallelism, totalmem } from "node:os";
import { ecsTaskLimits, type TaskResources } from "./sizing.ts";

/** Where cgroup v2 keeps this container's limits. */
const CGROUP = "/sys/fs/cgroup";

/**
 * Reads what the task has, for sizing.ts: the OS's CPUs and memory, the cgroup's limits, and
 * (given the ECS task metadata v4 URI, which the composition root takes from
 * `ECS_CONTAINER_METADATA_URI_V4`) the task's limits. Each source that cannot be read is
 * left out; this never fails.
 */
export async function readTaskResources(options: { ecsMetadataUri?: string; fetchTimeoutMs?: number } = {}): Promise<TaskResources> {
  const read = (name: string) => readFile(`${CGROUP}/${name}`, "utf8").catch(() => undefined);
  const [cpuMax, memoryMax, ecs] = await Promise.all([read("cpu.max"), read("memory.max"), ecsLimits(options.ecsMetadataUri, options.fetchTimeoutMs ?? 1000)]);
  return {
    availableParallelism: availableParallelism(),
    totalMemoryBytes: totalmem(),
    ...(cpuMax !== undefined ? { cgroupCpuMax: cpuMax } : {}),
    ...(memoryMax !== undefined ? { cgroupMemoryMax: memoryMax } : {}),
    ...ecs,
  };
}

async function ecsLimits(uri: string | undefined, timeoutMs: number): Promise<{ ecsCpuVcpus?: number; ecsMemoryMiB?: number }> {
  if (!uri) return {};
  try {
    const response = await fetch(`${uri}/task`, { signal: AbortSignal.timeout(timeoutMs) });
    return response.ok ? ecsTaskLimits(await response.json()) : {};
  } catch {
    return {};
  }
}
