import { readFile } from "node:fs/promises";
import { availableParallelism, totalmem } from "node:os";
import type { HostResources } from "./sizing.ts";

/**
 * Where a container sees its own cgroup: with cgroup v2 the files are in this directory; with
 * cgroup v1 each controller is mounted below it (`memory/`, `cpu/`, the latter often as
 * `cpu,cpuacct/` with `cpu` a link to it). Docker and Fargate mount the container's own cgroup
 * there, so the files hold its limits.
 * @see https://docs.kernel.org/admin-guide/cgroup-v2.html
 * @see https://docs.kernel.org/admin-guide/cgroup-v1/memory.html
 */
const CGROUP = "/sys/fs/cgroup";

/**
 * Reads what the host offers this process, for sizing.ts: the OS's CPUs and memory and the
 * cgroup limits when there are any, of either version: v2 `cpu.max` and `memory.max`, v1
 * `memory/memory.limit_in_bytes`, `cpu/cpu.cfs_quota_us` and `cpu/cpu.cfs_period_us`. The ECS
 * task's own limits come from the task metadata (observability/ecs-metadata.ts). A file that
 * cannot be read is left out; this never fails.
 */
export async function readHostResources(cgroupDir = CGROUP): Promise<HostResources> {
  const read = (...names: string[]): Promise<string | undefined> =>
    names.reduce<Promise<string | undefined>>(
      (found, name) => found.then((text) => text ?? readFile(`${cgroupDir}/${name}`, "utf8").catch(() => undefined)),
      Promise.resolve(undefined),
    );
  const [cpuMax, memoryMax, v1Memory, v1Quota, v1Period] = await Promise.all([
    read("cpu.max"),
    read("memory.max"),
    read("memory/memory.limit_in_bytes"),
    read("cpu/cpu.cfs_quota_us", "cpu,cpuacct/cpu.cfs_quota_us"),
    read("cpu/cpu.cfs_period_us", "cpu,cpuacct/cpu.cfs_period_us"),
  ]);
  return {
    availableParallelism: availableParallelism(),
    totalMemoryBytes: totalmem(),
    ...(cpuMax !== undefined ? { cgroupCpuMax: cpuMax } : {}),
    ...(memoryMax !== undefined ? { cgroupMemoryMax: memoryMax } : {}),
    ...(v1Memory !== undefined ? { cgroupV1MemoryLimit: v1Memory } : {}),
    ...(v1Quota !== undefined ? { cgroupV1CpuQuota: v1Quota } : {}),
    ...(v1Period !== undefined ? { cgroupV1CpuPeriod: v1Period } : {}),
  };
}
