import assert from "node:assert/strict";
import fc from "fast-check";
import { MIN_MEMORY_BUDGET_MIB, resourceBudget } from "../../../task/src/observability/resource-budget.ts";

const host = { availableParallelism: 16, totalMemoryMiB: 65_536 };

describe("resourceBudget", () => {
  it("gives one worker per whole vCPU of the task, not the host's cores", () => {
    assert.equal(resourceBudget({ cpuLimitVcpu: 4, memoryLimitMiB: 8192 }, host).workerThreads, 4);
    assert.equal(resourceBudget({ cpuLimitVcpu: 1, memoryLimitMiB: 2048 }, host).workerThreads, 1);
  });

  it("gives a fractional-vCPU task one worker", () => {
    assert.equal(resourceBudget({ cpuLimitVcpu: 0.25, memoryLimitMiB: 512 }, host).workerThreads, 1);
  });

  it("budgets 75% of the task's memory after a 256 MiB reserve", () => {
    assert.equal(resourceBudget({ cpuLimitVcpu: 1, memoryLimitMiB: 2048 }, host).memoryBudgetMiB, 1344);
  });

  it("uses the host's figures off ECS", () => {
    const budget = resourceBudget({}, { availableParallelism: 8, totalMemoryMiB: 16_384 });
    assert.deepEqual(budget, { workerThreads: 8, memoryBudgetMiB: 12_096, source: "host" });
  });

  it("stays within the host and above the minimum, whatever the limits (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.125, max: 192, noNaN: true }), fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 256 }), (cpu, memory, cores) => {
        const budget = resourceBudget({ cpuLimitVcpu: cpu, memoryLimitMiB: memory }, { availableParallelism: cores, totalMemoryMiB: 1 << 20 });
        assert.ok(budget.workerThreads >= 1 && budget.workerThreads <= cores);
        assert.ok(budget.memoryBudgetMiB >= MIN_MEMORY_BUDGET_MIB);
        assert.ok(budget.memoryBudgetMiB <= Math.max(memory, MIN_MEMORY_BUDGET_MIB));
        assert.equal(budget.source, "task-limits");
      }),
    );
  });
});
