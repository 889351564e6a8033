import assert from "node:assert/strict";
import fc from "fast-check";
import { planParts, type PlannedBlock } from "../../../task/src/parallel/part-plan.ts";

const blocksArb = fc.array(fc.record({ rawBytes: fc.integer({ min: 1, max: 5000 }), compressedBytes: fc.integer({ min: 1, max: 2000 }) }), { maxLength: 60 });
const sum = (bs: readonly PlannedBlock[], key: keyof PlannedBlock) => bs.reduce((n, b) => n + b[key], 0);
const partsOf = (blocks: PlannedBlock[], firsts: number[]) => firsts.map((f, j) => blocks.slice(f, firsts[j + 1] ?? blocks.length));

describe("planParts", () => {
  it("makes a multiple of the slice count, of consecutive blocks covering all of them (property)", () => {
    fc.assert(
      fc.property(blocksArb, fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 20000 }), (blocks, slices, partBytes) => {
        const firsts = planParts(blocks, { slices, partBytes });
        assert.equal(firsts.length % slices, 0);
        assert.ok(firsts.length >= slices);
        assert.equal(firsts[0], 0);
        for (let j = 1; j < firsts.length; j++) assert.ok(firsts[j]! >= firsts[j - 1]! && firsts[j]! <= blocks.length);
        assert.deepEqual(partsOf(blocks, firsts).flat(), blocks);
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps parts about equal: none over its share by more than one block (property)", () => {
    fc.assert(
      fc.property(blocksArb, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 20000 }), (blocks, slices, partBytes) => {
        const firsts = planParts(blocks, { slices, partBytes });
        const largest = Math.max(0, ...blocks.map((b) => b.compressedBytes));
        for (const part of partsOf(blocks, firsts)) assert.ok(sum(part, "compressedBytes") <= sum(blocks, "compressedBytes") / firsts.length + largest);
      }),
      { numRuns: 1000 },
    );
  });

  it("makes no part bigger than the compressed maximum when blocks allow it (property)", () => {
    fc.assert(
      fc.property(blocksArb, fc.integer({ min: 1, max: 8 }), (blocks, slices) => {
        const firsts = planParts(blocks, { slices, partBytes: 1 << 30, maxCompressedBytes: 5000 });
        for (const part of partsOf(blocks, firsts)) assert.ok(sum(part, "compressedBytes") <= 5000);
      }),
      { numRuns: 1000 },
    );
  });

  it("makes one part per slice for output under the part size, and more parts as it grows", () => {
    const mb = (n: number) => Array.from({ length: n }, () => ({ rawBytes: 4 << 20, compressedBytes: 1 << 20 }));
    assert.equal(planParts(mb(10), { slices: 4, partBytes: 128 << 20 }).length, 4);
    assert.equal(planParts(mb(200), { slices: 4, partBytes: 128 << 20 }).length, 8);
    assert.equal(planParts([], { slices: 2, partBytes: 1 }).length, 2);
  });
});
