import { readFile } from "node:fs/promises";
import { availableParallelism, totalmem } from "node:os";
import type { HostResources } from "./sizing.ts";

/** Where cgroup v2 keeps this container's limits. */
const CGROUP = "/sys/fs/cgroup";

/**
 * Reads what the host offers this process, for sizing.ts: the OS's CPUs and memory and the
 * cgroup v2 limits (`cpu.max`, `memory.max`) when there are any. The ECS task's own limits
 * come from the task metadata (observability/ecs-metadata.ts). A file that cannot be read is
 * left out; this never fails.
 */
export async function readHostResources(cgroupDir = CGROUP): Promise<HostResources> {
  const read = (name: string) => readFile(`${cgroupDir}/${name}`, "utf8").catch(() => undefined);
  const [cpuMax, memoryMax] = await Promise.all([read("cpu.max"), read("memory.max")]);
  return {
    availableParallelism: availableParallelism(),
    totalMemoryBytes: totalmem(),
    ...(cpuMax !== undefined ? { cgroupCpuMax: cpuMax } : {}),
    ...(memoryMax !== undefined ? { cgroupMemoryMax: memoryMax } : {}),
  };
}
