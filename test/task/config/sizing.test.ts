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
  resourceBudget,
  sizeRun,
} from "../../../task/src/config/sizing.ts";

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

describe("sizeRun", () => {
  const limits = { cpuLimitVcpu: 2, memoryLimitMiB: 2048 };
  it("takes what the settings ask for over the defaults, and says so", () => {
    assert.deepEqual(sizeRun({ workers: 1, memoryBudgetBytes: 64 * MiB }, limits, host), { workers: 1, memoryBudgetBytes: 64 * MiB, workersFrom: "settings", memoryBudgetFrom: "settings" });
  });

  it("fills what is not asked for from the task's limits, as resourceBudget decides", () => {
    const budget = resourceBudget(limits, host);
    assert.deepEqual(sizeRun({}, limits, host), { workers: budget.workerThreads, memoryBudgetBytes: budget.memoryBudgetMiB * MiB, workersFrom: "task-limits", memoryBudgetFrom: "task-limits" });
    // The default budget is the one for the default thread count, whatever workers was asked for.
    assert.deepEqual(sizeRun({ workers: 1 }, {}, host), { workers: 1, memoryBudgetBytes: resourceBudget({}, host).memoryBudgetMiB * MiB, workersFrom: "settings", memoryBudgetFrom: "host" });
    // Each figure says which limit decided it: a CPU limit alone leaves the memory to the host and cgroup.
    const cpuOnly = sizeRun({}, { cpuLimitVcpu: 2 }, host);
    assert.deepEqual([cpuOnly.workersFrom, cpuOnly.memoryBudgetFrom], ["task-limits", "host"]);
  });
});
