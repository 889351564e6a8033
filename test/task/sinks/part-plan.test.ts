import assert from "node:assert/strict";
import fc from "fast-check";
import { MAX_PART_COMPRESSED_BYTES, partTarget, splitBalanced, tailPartCount, type PlannedBlock } from "../../../task/src/sinks/part-plan.ts";

const blocksArb = fc.array(fc.record({ rawBytes: fc.integer({ min: 1, max: 5000 }), compressedBytes: fc.integer({ min: 1, max: 2000 }) }), { maxLength: 60 });
const groupsOf = (blocks: PlannedBlock[], firsts: number[]) => firsts.map((f, j) => blocks.slice(f, firsts[j + 1] ?? blocks.length));

describe("tailPartCount", () => {
  it("makes the total a multiple of the slices, with no part over the target (property)", () => {
    fc.assert(
      fc.property(fc.nat(50), fc.nat(100_000), fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 20_000 }), (written, tail, slices, target) => {
        const k = tailPartCount(written, tail, slices, target);
        assert.equal((written + k) % slices, 0);
        assert.ok(k * target >= tail, "no part over the target");
        assert.ok(written + k >= 1, "at least one part");
        assert.ok(k < Math.ceil(tail / target) + slices || written + Math.ceil(tail / target) === 0);
      }),
    );
  });

  it("gives one part per slice for a small output, and none extra when the count already fits", () => {
    assert.equal(tailPartCount(0, 10, 4, 1000), 4);
    assert.equal(tailPartCount(0, 0, 1, 1000), 1);
    assert.equal(tailPartCount(3, 0, 3, 1000), 0);
    assert.equal(tailPartCount(3, 2500, 4, 1000), 5);
  });

  it("keeps parts under COPY's 1 GB whatever the part size asked for", () => {
    assert.ok(partTarget(16 * 2 ** 30) < MAX_PART_COMPRESSED_BYTES);
    assert.equal(partTarget(128 << 20), 128 << 20);
  });
});

describe("splitBalanced", () => {
  it("splits into consecutive groups covering every block, none over its share by more than a block (property)", () => {
    fc.assert(
      fc.property(blocksArb, fc.integer({ min: 1, max: 16 }), (blocks, parts) => {
        const firsts = splitBalanced(blocks, parts);
        assert.equal(firsts.length, parts);
        assert.equal(firsts[0], 0);
        for (let j = 1; j < firsts.length; j++) assert.ok(firsts[j]! >= firsts[j - 1]! && firsts[j]! <= blocks.length);
        const groups = groupsOf(blocks, firsts);
        assert.deepEqual(groups.flat(), blocks);
        const total = blocks.reduce((n, b) => n + b.compressedBytes, 0);
        const largest = Math.max(0, ...blocks.map((b) => b.compressedBytes));
        for (const g of groups) assert.ok(g.reduce((n, b) => n + b.compressedBytes, 0) <= total / parts + largest);
      }),
      { numRuns: 2000 },
    );
  });
});
