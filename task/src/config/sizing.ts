/**
 * How big a run is, decided once (pure): threads from the task's CPU limit and a dedup memory
 * budget from its memory limit, the limits read from the ECS task metadata and the container's
 * cgroup (host-resources.ts). Off ECS (or when the task sets no limit) the host's figures stand
 * in. A Fargate task sees the host's cores in `os.availableParallelism()`, not its vCPU share,
 * which is why the limits are read at all. The composition root calls {@link sizeRun} and passes
 * both figures to the job explicitly; the benchmark sizes the job the same way.
 */

/** The resources a run can see; every source is optional but the OS's own figures. */
export interface TaskResources {
  /** `os.availableParallelism()`: CPUs this process may run on. */
  availableParallelism: number;
  /** `os.totalmem()`, in bytes. */
  totalMemoryBytes: number;
  /**
   * ECS task metadata v4 (`${ECS_CONTAINER_METADATA_URI_V4}/task`) `Limits.CPU`, in vCPUs
   * (may be fractional, e.g. 0.25).
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4-fargate-response.html
   */
  ecsCpuVcpus?: number;
  /** ECS task metadata v4 `Limits.Memory`, in MiB. */
  ecsMemoryMiB?: number;
  /** The text of cgroup v2 `cpu.max`: `"max 100000"` (no quota) or `"<quota> <period>"`. */
  cgroupCpuMax?: string;
  /** The text of cgroup v2 `memory.max`: `"max"` or a number of bytes. */
  cgroupMemoryMax?: string;
  /**
   * The text of cgroup v1 `memory/memory.limit_in_bytes`: a number of bytes; with no limit the
   * kernel's largest page-aligned value, e.g. `9223372036854771712`.
   * @see https://docs.kernel.org/admin-guide/cgroup-v1/memory.html
   */
  cgroupV1MemoryLimit?: string;
  /** The text of cgroup v1 `cpu/cpu.cfs_quota_us`: microseconds per period, `-1` for no quota. */
  cgroupV1CpuQuota?: string;
  /** The text of cgroup v1 `cpu/cpu.cfs_period_us`: the period in microseconds, e.g. `100000`. */
  cgroupV1CpuPeriod?: string;
}

/** What the host and the container's cgroup report: everything but the ECS task's own limits. */
export type HostResources = Omit<TaskResources, "ecsCpuVcpus" | "ecsMemoryMiB">;

/** CPUs the task has: the smallest of what the OS, ECS and the cgroup quota allow, at least 1. */
export function cpuCount(r: TaskResources): number {
  const limits = [Math.max(1, Math.floor(r.availableParallelism))];
  if (r.ecsCpuVcpus !== undefined && r.ecsCpuVcpus > 0) limits.push(Math.max(1, Math.ceil(r.ecsCpuVcpus)));
  for (const quota of [parseCgroupCpuMax(r.cgroupCpuMax), parseCgroupV1CpuQuota(r.cgroupV1CpuQuota, r.cgroupV1CpuPeriod)]) {
    if (quota !== undefined) limits.push(Math.max(1, Math.ceil(quota)));
  }
  return Math.min(...limits);
}

/** Memory the task may use, in bytes: the smallest of the machine's, ECS's and the cgroup's limits. */
export function memoryLimitBytes(r: TaskResources): number {
  const limits = [r.totalMemoryBytes];
  if (r.ecsMemoryMiB !== undefined && r.ecsMemoryMiB > 0) limits.push(r.ecsMemoryMiB * 2 ** 20);
  for (const cgroup of [parseCgroupMemoryMax(r.cgroupMemoryMax), parseCgroupV1MemoryLimit(r.cgroupV1MemoryLimit)]) {
    if (cgroup !== undefined) limits.push(cgroup);
  }
  return Math.min(...limits);
}

/**
 * Threads for `JobOptions.workers` (the main thread included): one per CPU, and never fewer
 * than 2. With one CPU a worker thread still pays: the main thread reads, splits, dedups and
 * writes while the worker parses (measured on one CPU, 1M rows gzip: 5.1 s with 2 threads,
 * 8.7 s with the main thread alone).
 */
export function defaultWorkers(cpus: number): number {
  return Math.max(2, Math.floor(cpus));
}

/**
 * Memory the process needs besides the dedup set: V8, code, batches in flight and output
 * buffers (main thread), and per extra thread. Measured: about 250 MiB with one worker thread.
 */
export const BASE_RESERVE_BYTES = 256 * 2 ** 20;
export const PER_WORKER_RESERVE_BYTES = 64 * 2 ** 20;
/** Share of the memory left after the reserves that the dedup set may use. */
export const MEMORY_BUDGET_SHARE = 0.6;
/** The smallest budget worth having. */
export const MIN_MEMORY_BUDGET_BYTES = 32 * 2 ** 20;

/**
 * `JobOptions.memoryBudgetBytes` for a memory limit: 60% of what is left once the process's
 * own needs are set aside; the rest is slack for the heap, and for the moment a growing hash
 * table exists twice. (Measured: a 1 GiB limit gives 422 MiB, and 10M rows peak at about
 * 700 MiB; a bigger share barely shortened the run, the spill being a small part of it.)
 */
export function defaultMemoryBudget(limitBytes: number, workers: number): number {
  const spare = limitBytes - BASE_RESERVE_BYTES - PER_WORKER_RESERVE_BYTES * Math.max(0, workers - 1);
  return Math.max(MIN_MEMORY_BUDGET_BYTES, Math.floor(spare * MEMORY_BUDGET_SHARE));
}

/** A cgroup file's whole number (surrounding white space allowed), or undefined for anything else. */
function wholeNumber(text: string | undefined): number | undefined {
  const m = /^\s*(\d+)\s*$/.exec(text ?? "");
  return m ? Number(m[1]) : undefined;
}

/** vCPUs of a cgroup v2 `cpu.max` quota, or undefined for "max" or unreadable text. */
export function parseCgroupCpuMax(text: string | undefined): number | undefined {
  const m = /^\s*(\d+)\s+(\d+)\s*$/.exec(text ?? "");
  if (!m) return undefined;
  const period = Number(m[2]);
  return period > 0 ? Number(m[1]) / period : undefined;
}

/** Bytes of a cgroup v2 `memory.max`, or undefined for "max" or unreadable text. */
export function parseCgroupMemoryMax(text: string | undefined): number | undefined {
  return wholeNumber(text);
}

/**
 * Bytes of a cgroup v1 `memory.limit_in_bytes`, or undefined for no limit or unreadable text.
 * With no limit the kernel reports `PAGE_COUNTER_MAX` pages in bytes (9223372036854771712 with
 * 4 KiB pages; other page sizes give other values), so anything past 2^53 bytes, more than any
 * machine has, means "no limit".
 * @see https://docs.kernel.org/admin-guide/cgroup-v1/memory.html
 */
export function parseCgroupV1MemoryLimit(text: string | undefined): number | undefined {
  const bytes = wholeNumber(text);
  return bytes !== undefined && bytes > 0 && bytes <= Number.MAX_SAFE_INTEGER ? bytes : undefined;
}

/**
 * vCPUs of a cgroup v1 CFS quota (`cpu.cfs_quota_us` / `cpu.cfs_period_us`), or undefined for
 * `-1` (no quota) or unreadable text. `docker run --cpus 1.5` writes 150000 / 100000.
 * @see https://docs.kernel.org/scheduler/sched-bwc.html
 */
export function parseCgroupV1CpuQuota(quota: string | undefined, period: string | undefined): number | undefined {
  const quotaUs = wholeNumber(quota);
  const periodUs = wholeNumber(period);
  return quotaUs !== undefined && periodUs !== undefined && periodUs > 0 && quotaUs > 0 ? quotaUs / periodUs : undefined;
}

/** The limits known from the ECS task metadata (`TaskMetadata` has the same fields). */
export interface TaskLimits {
  /** vCPUs, e.g. 0.25 or 4. */
  cpuLimitVcpu?: number;
  /** MiB, e.g. 2048. */
  memoryLimitMiB?: number;
}

/** What the job may use by default. */
export interface ResourceBudget {
  /** Threads that transform, the main thread included (`JobOptions.workers`): at least 2. */
  workerThreads: number;
  /** MiB the dedup set may use before it spills to local disk. */
  memoryBudgetMiB: number;
  /** Where the figures came from. */
  source: "task-limits" | "host";
}

/** The default sizing for these limits on this host. */
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

/** The figures a run is given (`JobOptions.workers` and `memoryBudgetBytes`), and where each came from. */
export interface RunSizing {
  /** Threads that transform, the main thread included. */
  workers: number;
  /** Bytes the dedup set may hold before it spills. */
  memoryBudgetBytes: number;
  /** `settings` when `--workers`/`CTI_WORKERS` chose it, `task-limits` when the task's CPU limit did, else `host` (OS and cgroup). */
  workersFrom: "settings" | ResourceBudget["source"];
  /** `settings` when `--memory-budget`/`CTI_MEMORY_BUDGET_MIB` chose it, `task-limits` when the task's memory limit did, else `host`. */
  memoryBudgetFrom: "settings" | ResourceBudget["source"];
}

/**
 * The run's sizing: what the settings ask for, else the default for the task's limits on this
 * host ({@link resourceBudget}). The default memory budget is the one for the default thread
 * count, whatever `workers` was asked for.
 */
export function sizeRun(requested: { workers?: number | undefined; memoryBudgetBytes?: number | undefined }, limits: TaskLimits, host: HostResources): RunSizing {
  const budget = resourceBudget(limits, host);
  return {
    workers: requested.workers ?? budget.workerThreads,
    memoryBudgetBytes: requested.memoryBudgetBytes ?? budget.memoryBudgetMiB * 2 ** 20,
    workersFrom: requested.workers !== undefined ? "settings" : limits.cpuLimitVcpu !== undefined ? "task-limits" : "host",
    memoryBudgetFrom: requested.memoryBudgetBytes !== undefined ? "settings" : limits.memoryLimitMiB !== undefined ? "task-limits" : "host",
  };
}
