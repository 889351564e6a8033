import assert from "node:assert/strict";
import { clientToken } from "../../../task/src/load/client-token.ts";

const run = { runId: "20261126T104512Z-3fa9c2", startedAt: "2026-11-26T10:45:12.000Z" };
const fp = "a".repeat(64);

describe("clientToken", () => {
  it("is the same for every retry of a submission within the run", () => {
    assert.equal(clientToken("load", run, fp), clientToken("load", { ...run }, fp));
  });

  it("fits the Data API's rule: 1 to 64 printable ASCII characters", () => {
    for (const purpose of ["setup", "setup-retry", "load", "recheck"] as const) {
      const token = clientToken(purpose, run, fp);
      assert.ok(token.length >= 1 && token.length <= 64, token);
      assert.match(token, /^[!-~]+$/);
      assert.ok(token.startsWith(`cti-etl-${purpose}-`));
    }
  });

  it("differs between submissions, inputs, runs, and a later run reusing the run id", () => {
    const base = clientToken("load", run, fp);
    assert.notEqual(clientToken("setup", run, fp), base);
    assert.notEqual(clientToken("load", run, "b".repeat(64)), base);
    assert.notEqual(clientToken("load", { ...run, runId: "other" }, fp), base);
    assert.notEqual(clientToken("load", { ...run, startedAt: "2026-11-27T00:00:00.000Z" }, fp), base);
  });
});
