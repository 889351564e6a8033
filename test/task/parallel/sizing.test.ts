import assert from "node:assert/strict";
import fc from "fast-check";
import {
  cpuCount,
  defaultMemoryBudget,
  defaultWorkers,
  memoryLimitBytes,
  MIN_MEMORY_BUDGET_BYTES,
  parseCgroupCpuMax,
  parseCgroupMemoryMax,
  parseCgroupV1CpuQuota,
  parseCgroupV1MemoryLimit,
} from "../../../task/src/parallel/sizing.ts";

const GiB = 2 ** 30;
const base = { availableParallelism: 8, totalMemoryBytes: 32 * GiB };

describe("sizing", () => {
  it("takes the fewest CPUs any source allows, rounding a fractional vCPU up", () => {
    assert.equal(cpuCount(base), 8);
    assert.equal(cpuCount({ ...base, ecsCpuVcpus: 2 }), 2);
    assert.equal(cpuCount({ ...base, ecsCpuVcpus: 0.25 }), 1);
    assert.equal(cpuCount({ ...base, cgroupCpuMax: "150000 100000" }), 2);
    assert.equal(cpuCount({ ...base, cgroupCpuMax: "max 100000", ecsCpuVcpus: 4 }), 4);
    assert.equal(cpuCount({ ...base, availableParallelism: 1, ecsCpuVcpus: 4 }), 1);
    assert.equal(cpuCount({ ...base, cgroupV1CpuQuota: "150000\n", cgroupV1CpuPeriod: "100000\n" }), 2);
    assert.equal(cpuCount({ ...base, cgroupV1CpuQuota: "-1\n", cgroupV1CpuPeriod: "100000\n", ecsCpuVcpus: 4 }), 4);
  });

  it("takes the smallest memory limit any source gives", () => {
    assert.equal(memoryLimitBytes(base), 32 * GiB);
    assert.equal(memoryLimitBytes({ ...base, ecsMemoryMiB: 2048 }), 2 * GiB);
    assert.equal(memoryLimitBytes({ ...base, cgroupMemoryMax: "1073741824\n", ecsMemoryMiB: 2048 }), GiB);
    assert.equal(memoryLimitBytes({ ...base, cgroupMemoryMax: "max\n" }), 32 * GiB);
    assert.equal(memoryLimitBytes({ ...base, cgroupV1MemoryLimit: "1073741824\n" }), GiB);
    assert.equal(memoryLimitBytes({ ...base, cgroupV1MemoryLimit: "9223372036854771712\n", ecsMemoryMiB: 2048 }), 2 * GiB);
    assert.equal(memoryLimitBytes({ ...base, cgroupV1MemoryLimit: "9223372036854771712\n" }), 32 * GiB);
  });

  it("runs one thread per CPU, and at least two", () => {
    assert.deepEqual([1, 2, 3, 16].map(defaultWorkers), [2, 2, 3, 16]);
  });

  it("keeps the budget within the limit, growing with it, never below the minimum (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64 * GiB }), fc.integer({ min: 1, max: 64 }), (limit, workers) => {
        const budget = defaultMemoryBudget(limit, workers);
        assert.ok(budget >= MIN_MEMORY_BUDGET_BYTES);
        if (budget > MIN_MEMORY_BUDGET_BYTES) assert.ok(budget <= limit * 0.6);
        assert.ok(defaultMemoryBudget(limit + GiB, workers) >= budget);
      }),
    );
    assert.equal(Math.round(defaultMemoryBudget(GiB, 2) / 2 ** 20), 422);
  });

  it("reads cgroup v2 files and ECS task limits, ignoring what it does not understand", () => {
    assert.equal(parseCgroupCpuMax("200000 100000\n"), 2);
    assert.equal(parseCgroupCpuMax("max 100000"), undefined);
    assert.equal(parseCgroupMemoryMax("536870912\n"), 536870912);
    assert.equal(parseCgroupMemoryMax("max"), undefined);
  });

  it("reads cgroup v1 files: a byte limit, the kernel's huge 'no limit' value, a CFS quota, -1 for no quota", () => {
    assert.equal(parseCgroupV1MemoryLimit("1073741824\n"), GiB);
    // PAGE_COUNTER_MAX pages of 4 KiB, and of 64 KiB (arm64 kernels with 64K pages).
    assert.equal(parseCgroupV1MemoryLimit("9223372036854771712\n"), undefined);
    assert.equal(parseCgroupV1MemoryLimit("9223372036854710272\n"), undefined);
    assert.equal(parseCgroupV1MemoryLimit("max\n"), undefined);
    assert.equal(parseCgroupV1MemoryLimit(undefined), undefined);
    assert.equal(parseCgroupV1CpuQuota("150000\n", "100000\n"), 1.5);
    assert.equal(parseCgroupV1CpuQuota("25000\n", "100000\n"), 0.25);
    assert.equal(parseCgroupV1CpuQuota("-1\n", "100000\n"), undefined);
    assert.equal(parseCgroupV1CpuQuota("100000\n", undefined), undefined);
    assert.equal(parseCgroupV1CpuQuota("100000\n", "0\n"), undefined);
  });
});
