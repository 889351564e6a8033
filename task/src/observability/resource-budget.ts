/**
 * How much of the machine the job may use (pure): worker threads from the task's CPU limit and a
 * memory budget from its memory limit, both read from the ECS task metadata. Off ECS (or when the
 * task sets no limit) the host's figures stand in. A Fargate task sees the host's cores in
 * `os.availableParallelism()`, not its vCPU share, which is why the limit is read at all.
 */

/** The limits known from the task metadata. */
export interface TaskLimits {
  /** vCPUs, e.g. 0.25 or 4. */
  cpuLimitVcpu?: number;
  /** MiB, e.g. 2048. */
  memoryLimitMiB?: number;
}

/** What the host reports, for when the task has no limit. */
export interface HostResources {
  /** `os.availableParallelism()`. */
  availableParallelism: number;
  /** `os.totalmem()` in MiB. */
  totalMemoryMiB: number;
}

/** What the job may use. */
export interface ResourceBudget {
  /** Worker threads for CPU-bound work: at least 1. */
  workerThreads: number;
  /** MiB the job may hold in its own buffers (dedup set, parts in flight). */
  memoryBudgetMiB: number;
  /** Where the figures came from. */
  source: "task-limits" | "host";
}

/** MiB kept for Node, V8's heap overhead and the OS page cache of the container. */
export const MEMORY_RESERVE_MIB = 256;
/** Share of the rest the job budgets for its own data; the remainder absorbs GC headroom. */
export const MEMORY_BUDGET_SHARE = 0.75;
/** Smallest budget, even on a tiny task. */
export const MIN_MEMORY_BUDGET_MIB = 64;

/**
 * Worker threads: one per whole vCPU of the limit (at least 1; a 0.25 vCPU task gets 1), never
 * more than the host offers. Memory: 75% of what is left after a 256 MiB reserve, at least 64.
 */
export function resourceBudget(limits: TaskLimits, host: HostResources): ResourceBudget {
  const hostThreads = Math.max(1, Math.floor(host.availableParallelism));
  const fromTask = limits.cpuLimitVcpu !== undefined || limits.memoryLimitMiB !== undefined;
  const threads = limits.cpuLimitVcpu !== undefined ? Math.max(1, Math.floor(limits.cpuLimitVcpu)) : hostThreads;
  const memory = limits.memoryLimitMiB ?? host.totalMemoryMiB;
  return {
    workerThreads: Math.min(threads, hostThreads),
    memoryBudgetMiB: Math.max(MIN_MEMORY_BUDGET_MIB, Math.floor((memory - MEMORY_RESERVE_MIB) * MEMORY_BUDGET_SHARE)),
    source: fromTask ? "task-limits" : "host",
  };
}
