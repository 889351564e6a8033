import assert from "node:assert/strict";
import { measureSchemaCost } from "../../bench/schema-cost.ts";

describe("bench schema cost", () => {
  it("times arktype and the hand-written rules after checking they agree on every fact", () => {
    const cost = measureSchemaCost(20_000, 1);
    assert.ok(Number.isFinite(cost.arktypeNsPerRow) && cost.arktypeNsPerRow > 0);
    assert.ok(Number.isFinite(cost.handNsPerRow) && cost.handNsPerRow > 0);
  });
});
