import assert from "node:assert/strict";
import { WEBHOOK_SCHEMA, summaryText, webhookPayloadFor } from "../../../task/src/observability/webhook-payload.ts";
import { failed, skipped, succeeded } from "./support/outcomes.ts";

describe("webhookPayloadFor", () => {
  it("describes a successful run with its counts, load and stages", () => {
    const payload = webhookPayloadFor(succeeded(), "cti-etl-prod", "arn:aws:ecs:us-east-1:1:task/c/t");
    assert.equal(payload.schema, WEBHOOK_SCHEMA);
    assert.equal(payload.status, "succeeded");
    assert.equal(payload.job, "cti-etl-prod");
    assert.equal(payload.taskArn, "arn:aws:ecs:us-east-1:1:task/c/t");
    assert.equal(payload.counts?.rowsRead, 1000);
    assert.deepEqual(payload.load, { outcome: "loaded", loaded: 900, alreadyPresent: 40 });
    assert.deepEqual(payload.stageDurationsMs, { transform: 8000, load: 4000 });
    assert.equal(payload.failure, undefined);
  });

  it("gives a failed run's code and message, secrets masked", () => {
    const payload = webhookPayloadFor(failed("INTERNAL", "token=abc123 refused"), "j");
    assert.deepEqual(payload.failure, { code: "INTERNAL", message: "token=*** refused" });
  });

  it("says why a run was skipped", () => {
    assert.match(webhookPayloadFor(skipped(), "j").skippedBecause ?? "", /lease is held/);
  });

  it("is plain JSON", () => {
    const payload = webhookPayloadFor(succeeded(), "j");
    assert.deepEqual(JSON.parse(JSON.stringify(payload)), payload);
  });
});

describe("summaryText", () => {
  it("says in one line how the run went", () => {
    assert.equal(summaryText(succeeded(), "prod"), "cti-etl prod: run 20261126T104512Z-ab12 succeeded in 12.5 s: 1,000 read, 900 loaded, 20 rejected");
    assert.equal(summaryText(failed(), "prod"), "cti-etl prod: run 20261126T104512Z-ab12 failed in 12.5 s: BAD_HEADER: the header has no Key column");
  });
});
