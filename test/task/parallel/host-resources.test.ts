import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { availableParallelism, totalmem } from "node:os";
import { join } from "node:path";
import { readHostResources } from "../../../task/src/parallel/host-resources.ts";
import { cpuCount, memoryLimitBytes } from "../../../task/src/parallel/sizing.ts";
import { tempDir } from "../../support/temp-dir.ts";

describe("readHostResources", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  it("reads the cgroup v2 limits, which then bound the sizing", async () => {
    await writeFile(join(dir.path, "cpu.max"), "100000 100000\n");
    await writeFile(join(dir.path, "memory.max"), "1073741824\n");
    const host = await readHostResources(dir.path);
    assert.deepEqual(host, { availableParallelism: availableParallelism(), totalMemoryBytes: totalmem(), cgroupCpuMax: "100000 100000\n", cgroupMemoryMax: "1073741824\n" });
    assert.equal(cpuCount(host), 1);
    assert.equal(memoryLimitBytes(host), Math.min(totalmem(), 2 ** 30));
  });

  it("leaves out what it cannot read: no cgroup, the OS's figures", async () => {
    const host = await readHostResources(join(dir.path, "absent"));
    assert.deepEqual(host, { availableParallelism: availableParallelism(), totalMemoryBytes: totalmem() });
  });
});
