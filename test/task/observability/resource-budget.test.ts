import assert from "node:assert/strict";
import fc from "fast-check";
import { resourceBudget } from "../../../task/src/observability/resource-budget.ts";
import { MIN_MEMORY_BUDGET_BYTES } from "../../../task/src/parallel/sizing.ts";

const MiB = 2 ** 20;
const host = { availableParallelism: 16, totalMemoryBytes: 65_536 * MiB };
const minMiB = MIN_MEMORY_BUDGET_BYTES / MiB;

describe("resourceBudget", () => {
  it("gives one thread per vCPU of the task, not the host's cores, and never fewer than 2", () => {
    assert.equal(resourceBudget({ cpuLimitVcpu: 4, memoryLimitMiB: 8192 }, host).workerThreads, 4);
    assert.equal(resourceBudget({ cpuLimitVcpu: 1, memoryLimitMiB: 2048 }, host).workerThreads, 2);
    assert.equal(resourceBudget({ cpuLimitVcpu: 0.25, memoryLimitMiB: 512 }, host).workerThreads, 2);
  });

  it("budgets 60% of the task's memory after the process's own needs", () => {
    // 2048 − 256 − 64 (one thread past the first) = 1728; 60% of it.
    assert.equal(resourceBudget({ cpuLimitVcpu: 2, memoryLimitMiB: 2048 }, host).memoryBudgetMiB, Math.floor(1728 * 0.6));
  });

  it("takes the cgroup's limits when they are tighter", () => {
    const budget = resourceBudget({}, { ...host, cgroupCpuMax: "300000 100000\n", cgroupMemoryMax: `${1024 * MiB}\n` });
    assert.deepEqual(budget, { workerThreads: 3, memoryBudgetMiB: Math.floor((1024 - 256 - 128) * 0.6), source: "host" });
  });

  it("uses the host's figures off ECS", () => {
    const budget = resourceBudget({}, { availableParallelism: 8, totalMemoryBytes: 16_384 * MiB });
    assert.deepEqual(budget, { workerThreads: 8, memoryBudgetMiB: Math.floor((16_384 - 256 - 7 * 64) * 0.6), source: "host" });
  });

  it("stays within the host and above the minimum, whatever the limits (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.125, max: 192, noNaN: true }), fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 256 }), (cpu, memory, cores) => {
        const budget = resourceBudget({ cpuLimitVcpu: cpu, memoryLimitMiB: memory }, { availableParallelism: cores, totalMemoryBytes: 2 ** 40 });
        assert.ok(budget.workerThreads >= 2 && budget.workerThreads <= Math.max(2, cores));
        assert.ok(budget.memoryBudgetMiB >= minMiB);
        assert.ok(budget.memoryBudgetMiB <= Math.max(memory, minMiB));
        assert.equal(budget.source, "task-limits");
      }),
    );
  });
});
