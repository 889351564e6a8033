import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { FAN_OUT_ASSUMPTIONS, fanOutCost, fanOutCostTable } from "../../bench/fan-out-cost.ts";

describe("the fan-out's cost model", () => {
  it("counts shards, waves of tasks and the costs from the assumptions", () => {
    const a = { ...FAN_OUT_ASSUMPTIONS, taskBytesPerSecond: 10, taskStartSeconds: 5, redshiftRowsPerSecond: 1, bytesPerRow: 10, rpus: 2 };
    const c = fanOutCost({ inputBytes: 1000, shardBytes: 300, maxConcurrency: 2 }, a);
    assert.equal(c.shards, 4);
    assert.equal(c.shardSeconds, 30 + 5);
    // 2 waves of 35 s, plan and commit start-up 10 s, the insert of 100 rows 100 s.
    assert.equal(c.wallSeconds, 70 + 10 + 100);
    assert.equal(c.redshiftRpuHours, (2 * 100) / 3600);
    assert.equal(c.stepFunctionsDollars, (4 * 2 + 8) * FAN_OUT_ASSUMPTIONS.stateTransition);
    assert.ok(Math.abs(c.fargateDollars - ((4 * 35 + 110) / 3600) * (0.03238 + 2 * 0.00356)) < 1e-12);
  });

  it("is the table the README shows", async () => {
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    assert.ok(readme.includes(fanOutCostTable()), `the README's table differs from the model's:\n${fanOutCostTable()}`);
  });
});
