/**
 * How much of the machine the job may use (pure): threads from the task's CPU limit and a
 * dedup memory budget from its memory limit, the limits read from the ECS task metadata and the
 * container's cgroup. Off ECS (or when the task sets no limit) the host's figures stand in. A
 * Fargate task sees the host's cores in `os.availableParallelism()`, not its vCPU share, which
 * is why the limits are read at all. The decisions themselves are parallel/sizing.ts's, which
 * the benchmark sizes the job with too.
 */
import { cpuCount, defaultMemoryBudget, defaultWorkers, memoryLimitBytes, type HostResources, type TaskResources } from "../parallel/sizing.ts";

export type { HostResources };

/** The limits known from the task metadata. */
export interface TaskLimits {
  /** vCPUs, e.g. 0.25 or 4. */
  cpuLimitVcpu?: number;
  /** MiB, e.g. 2048. */
  memoryLimitMiB?: number;
}

/** What the job may use. */
export interface ResourceBudget {
  /** Threads that transform, the main thread included (`JobOptions.workers`): at least 2. */
  workerThreads: number;
  /** MiB the dedup set may use before it spills to local disk. */
  memoryBudgetMiB: number;
  /** Where the figures came from. */
  source: "task-limits" | "host";
}

/** The job's sizing for these limits on this host. */
export function resourceBudget(limits: TaskLimits, host: HostResources): ResourceBudget {
  const resources: TaskResources = {
    ...host,
    ...(limits.cpuLimitVcpu !== undefined ? { ecsCpuVcpus: limits.cpuLimitVcpu } : {}),
    ...(limits.memoryLimitMiB !== undefined ? { ecsMemoryMiB: limits.memoryLimitMiB } : {}),
  };
  const workerThreads = defaultWorkers(cpuCount(resources));
  return {
    workerThreads,
    memoryBudgetMiB: Math.floor(defaultMemoryBudget(memoryLimitBytes(resources), workerThreads) / 2 ** 20),
    source: limits.cpuLimitVcpu !== undefined || limits.memoryLimitMiB !== undefined ? "task-limits" : "host",
  };
}
