import assert from "node:assert/strict";
import { loadCostRatios, type LoadCostFigures } from "../../bench/load-cost.ts";

describe("bench load cost", () => {
  it("compares each default run with the transform-only run of its own round, and the loads' times with each other", () => {
    // Round 2 is a slow minute: every run of it took 2 s longer.
    const figures: LoadCostFigures = {
      rows: 1_000_000,
      historyRows: 10_000_000,
      transformOnlyMs: [3000, 5000, 3200],
      emptyMs: [9000, 11000, 9600],
      historyMs: [15000, 17000, 15200],
      newFolderMs: [12000, 14000, 12800],
      loadedEmpty: 839_659,
      loadedHistory: 839_659,
    };
    const r = loadCostRatios(figures);
    assert.equal(r.empty, 3);
    assert.equal(r.history, 4.75);
    assert.equal(r.newFolder, 4);
    assert.equal(r.emptyLoadMs, 6000);
    assert.equal(r.historyLoadMs, 12000);
    assert.equal(r.historyOverEmptyLoad, 2);
  });
});
