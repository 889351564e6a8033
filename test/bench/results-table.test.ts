import assert from "node:assert/strict";
import { median, medianPaired } from "../../bench/results-table.ts";

describe("bench results table", () => {
  it("takes the median of an odd and an even count of rounds, and none of no rounds", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it("compares two programs round by round: a slow round moves both sides of its pair, not one side's median", () => {
    // Round 2 ran in a slow minute: both programs took 1 s longer. Per round, the cost is 0.5 s
    // every time; the difference of the medians (4.5 − 3.1) would say 1.4 s.
    const withCodec = [4.0, 5.5, 4.5];
    const without = [3.5, 5.0, 4.0];
    assert.equal(medianPaired(withCodec, without, (d, n) => d - n), 0.5);
    assert.equal(median(withCodec) - median(without), 0.5);
    const skewed = [4.0, 5.5, 4.6];
    const other = [3.5, 3.1, 4.1];
    assert.equal(medianPaired(skewed, other, (d, n) => d - n), 0.5);
    assert.ok(Math.abs(median(skewed) - median(other) - 1.1) < 1e-9);
  });

  it("refuses rounds that do not pair up", () => {
    assert.throws(() => medianPaired([1, 2], [1], (a, b) => a - b), /paired rounds differ in number: 2 and 1/);
  });
});
