import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { emptyCounts } from "../../../task/src/records/record-counts.ts";
import { addCounts, checkInvariant } from "../../../task/src/run/summary.ts";

const counts = (rowsRead: number, clean: number, duplicates: number, rejected: number, byReason: Record<string, number>) => ({
  rowsRead,
  clean,
  duplicates,
  rejected,
  rejectedByReason: byReason,
});

describe("checkInvariant", () => {
  it("passes when every row is clean, a duplicate or rejected and the files agree", () => {
    assert.doesNotThrow(() => checkInvariant(counts(10, 6, 2, 2, { a: 1, b: 1 }), 6, 2));
  });

  it("fails when rowsRead != clean + duplicates + rejected", () => {
    assert.throws(() => checkInvariant(counts(11, 6, 2, 2, { a: 2 }), 6, 2), (e: unknown) => e instanceof EtlError && e.code === "INVARIANT_BROKEN" && /rowsRead 11/.test(e.message));
  });

  it("fails when the reasons do not add up to the rejected count", () => {
    assert.throws(() => checkInvariant(counts(10, 6, 2, 2, { a: 1 }), 6, 2), /rejectedByReason sums to 1/);
  });

  it("fails when the parts hold a different number of rows than counted", () => {
    assert.throws(() => checkInvariant(counts(10, 6, 2, 2, { a: 2 }), 5, 2), /clean parts hold 5 rows/);
    assert.throws(() => checkInvariant(counts(10, 6, 2, 2, { a: 2 }), 6, 3), /rejected files hold 3 rows/);
  });
});

describe("addCounts", () => {
  it("adds every count and merges the reasons", () => {
    const sum = addCounts(counts(3, 1, 1, 1, { a: 1 }), counts(4, 1, 1, 2, { a: 1, b: 1 }));
    assert.deepEqual(sum, counts(7, 2, 2, 3, { a: 2, b: 1 }));
    assert.deepEqual(addCounts(emptyCounts(), emptyCounts()), emptyCounts());
  });
});
