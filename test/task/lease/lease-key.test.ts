import assert from "node:assert/strict";
import { leaseKey } from "../../../task/src/lease/lease-key.ts";
import { RUN_ID_PATTERN } from "../../../task/src/run/run-id.ts";

describe("leaseKey", () => {
  it("puts the lease under the output root", () => {
    assert.equal(leaseKey("runs/"), "runs/_lease/lease.json");
    assert.equal(leaseKey("team/runs"), "team/runs/_lease/lease.json");
    assert.equal(leaseKey(""), "_lease/lease.json");
  });

  it("can never be a run's directory: run ids cannot start with _", () => {
    assert.equal(RUN_ID_PATTERN.test("_lease"), false);
  });
});
