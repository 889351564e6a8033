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
  });

  it("takes the smallest memory limit any source gives", () => {
    assert.equal(memoryLimitBytes(base), 32 * GiB);
    assert.equal(memoryLimitBytes({ ...base, ecsMemoryMiB: 2048 }), 2 * GiB);
    assert.equal(memoryLimitBytes({ ...base, cgroupMemoryMax: "1073741824\n", ecsMemoryMiB: 2048 }), GiB);
    assert.equal(memoryLimitBytes({ ...base, cgroupMemoryMax: "max\n" }), 32 * GiB);
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
});
