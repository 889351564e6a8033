import assert from "node:assert/strict";
import fc from "fast-check";
import { fargateCpuUnits, fargateMemoryOptions, fargateSizeProblem, fargateSizes } from "../../infra/fargate-sizing.ts";

/** Inclusive range with a step. */
function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
}

/**
 * The table of the ECS developer guide ("Task CPU and memory"), typed in independently of the
 * implementation: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html
 */
const documented: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

describe("fargate-sizing", () => {
  describe("fargateMemoryOptions", () => {
    it("lists exactly the documented memory sizes for every CPU size", () => {
      for (const cpu of fargateCpuUnits) assert.deepEqual(fargateMemoryOptions(cpu), documented[cpu], `cpu ${cpu}`);
    });

    it("offers nothing for a CPU size Fargate does not have", () => {
      for (const cpu of [0, 128, 768, 1536, 3072, 32768]) assert.deepEqual(fargateMemoryOptions(cpu), []);
    });
  });

  describe("fargateSizes", () => {
    it("enumerates all 74 documented pairs, each once", () => {
      const pairs = fargateSizes().map(({ cpu, memory }) => `${cpu}/${memory}`);
      const expected = Object.entries(documented).flatMap(([cpu, memories]) => memories.map((m) => `${cpu}/${m}`));
      assert.equal(pairs.length, 74);
      assert.deepEqual(pairs, expected);
    });
  });

  describe("fargateSizeProblem", () => {
    it("accepts every documented pair", () => {
      for (const [cpu, memories] of Object.entries(documented)) {
        for (const memory of memories) assert.equal(fargateSizeProblem(Number(cpu), memory), undefined, `${cpu}/${memory}`);
      }
    });

    it("refuses every other pair on a 256 MiB grid up to 128 GiB", () => {
      let refused = 0;
      for (const cpu of fargateCpuUnits) {
        for (const memory of range(256, 131072, 256)) {
          if (documented[cpu]!.includes(memory)) continue;
          assert.ok(fargateSizeProblem(cpu, memory), `${cpu}/${memory} should be refused`);
          refused++;
        }
      }
      assert.ok(refused > 3000);
    });

    it("refuses a CPU size that is not a Fargate size, listing the ones that are", () => {
      const problem = fargateSizeProblem(3072, 6144);
      assert.match(problem ?? "", /taskCpu 3072/);
      assert.match(problem ?? "", /256, 512, 1024, 2048, 4096, 8192, 16384/);
    });

    it("names both values and the allowed memory when the pair is wrong", () => {
      assert.equal(fargateSizeProblem(1024, 3000), "taskMemory 3000 MiB is not valid with taskCpu 1024: allowed 2048, 3072, 4096, 5120, 6144, 7168, 8192 MiB");
      assert.equal(fargateSizeProblem(4096, 4096), "taskMemory 4096 MiB is not valid with taskCpu 4096: allowed 8192 to 30720 in steps of 1024 MiB");
    });

    it("keeps every valid pair between 2 and 8 GiB of memory per vCPU", () => {
      fc.assert(
        fc.property(fc.constantFrom(...fargateSizes()), ({ cpu, memory }) => memory >= 2 * cpu && memory <= 8 * cpu),
      );
    });

    it("refuses any memory that is not a multiple of 512 MiB", () => {
      fc.assert(
        fc.property(fc.constantFrom(...fargateCpuUnits), fc.integer({ min: 1, max: 200_000 }), (cpu, memory) =>
          memory % 512 === 0 || fargateSizeProblem(cpu, memory) !== undefined,
        ),
      );
    });
  });
});
