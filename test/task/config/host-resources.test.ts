import assert from "node:assert/strict";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { availableParallelism, totalmem } from "node:os";
import { join } from "node:path";
import { readHostResources } from "../../../task/src/config/host-resources.ts";
import { cpuCount, memoryLimitBytes } from "../../../task/src/config/sizing.ts";
import { tempDir } from "../../support/temp-dir.ts";

const os = { availableParallelism: availableParallelism(), totalMemoryBytes: totalmem() };

/** Writes `files` (path relative to the mount → content) under `root`. */
async function layOut(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

describe("readHostResources", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  it("reads the cgroup v2 limits, which then bound the sizing", async () => {
    await layOut(dir.path, { "cpu.max": "100000 100000\n", "memory.max": "1073741824\n" });
    const host = await readHostResources(dir.path);
    assert.deepEqual(host, { ...os, cgroupCpuMax: "100000 100000\n", cgroupMemoryMax: "1073741824\n" });
    assert.equal(cpuCount(host), 1);
    assert.equal(memoryLimitBytes(host), Math.min(totalmem(), 2 ** 30));
  });

  it("reads the cgroup v1 limits from the memory and cpu controllers' mounts, which then bound the sizing", async () => {
    // As `docker run --memory 1g --cpus 1` shows them on a cgroup v1 host (a tmpfs with one
    // directory per controller).
    await layOut(dir.path, {
      "memory/memory.limit_in_bytes": "1073741824\n",
      "memory/memory.usage_in_bytes": "5242880\n",
      "cpu/cpu.cfs_quota_us": "100000\n",
      "cpu/cpu.cfs_period_us": "100000\n",
      "cpuacct/cpuacct.usage": "1\n",
    });
    const host = await readHostResources(dir.path);
    assert.deepEqual(host, { ...os, cgroupV1MemoryLimit: "1073741824\n", cgroupV1CpuQuota: "100000\n", cgroupV1CpuPeriod: "100000\n" });
    assert.equal(cpuCount(host), 1);
    assert.equal(memoryLimitBytes(host), Math.min(totalmem(), 2 ** 30));
  });

  it("finds the v1 cpu controller mounted as cpu,cpuacct", async () => {
    await layOut(dir.path, { "cpu,cpuacct/cpu.cfs_quota_us": "50000\n", "cpu,cpuacct/cpu.cfs_period_us": "100000\n" });
    const host = await readHostResources(dir.path);
    assert.deepEqual(host, { ...os, cgroupV1CpuQuota: "50000\n", cgroupV1CpuPeriod: "100000\n" });
    await symlink("cpu,cpuacct", join(dir.path, "cpu"));
    assert.deepEqual(await readHostResources(dir.path), host);
  });

  it("takes a v1 container without limits as unlimited: the OS's figures bound the sizing", async () => {
    await layOut(dir.path, {
      "memory/memory.limit_in_bytes": "9223372036854771712\n",
      "cpu/cpu.cfs_quota_us": "-1\n",
      "cpu/cpu.cfs_period_us": "100000\n",
    });
    const host = await readHostResources(dir.path);
    assert.equal(memoryLimitBytes(host), totalmem());
    assert.equal(cpuCount(host), Math.max(1, availableParallelism()));
  });

  it("leaves out what it cannot read: no cgroup, the OS's figures", async () => {
    const host = await readHostResources(join(dir.path, "absent"));
    assert.deepEqual(host, os);
  });
});
