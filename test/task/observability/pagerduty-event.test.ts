import assert from "node:assert/strict";
import { MAX_SUMMARY_LENGTH, pagerDutyDedupKey, pagerDutyEventFor } from "../../../task/src/observability/pagerduty-event.ts";
import { failed, skipped, succeeded } from "./support/outcomes.ts";

const options = { routingKey: "R0123456789abcdef0123456789abcde", severity: "error" as const, job: "cti-etl-prod" };

describe("pagerDutyEventFor", () => {
  it("triggers an alert for a failed run, with the job's dedup key and what failed", () => {
    const event = pagerDutyEventFor(failed(), { ...options, source: "arn:aws:ecs:us-east-1:1:task/c/t" });
    assert.equal(event?.event_action, "trigger");
    assert.equal(event?.routing_key, options.routingKey);
    assert.equal(event?.dedup_key, "cti-etl/cti-etl-prod");
    assert.deepEqual({ ...event?.payload, custom_details: undefined }, {
      summary: "cti-etl cti-etl-prod: run 20261126T104512Z-ab12 failed: BAD_HEADER: the header has no Key column",
      source: "arn:aws:ecs:us-east-1:1:task/c/t",
      severity: "error",
      timestamp: "2026-11-26T10:45:24.500Z",
      component: "cti-etl",
      group: "cti-etl-prod",
      class: "BAD_HEADER",
      custom_details: undefined,
    });
    assert.equal(event?.payload?.custom_details.runId, "20261126T104512Z-ab12");
  });

  it("resolves the job's alert when a run succeeds", () => {
    assert.deepEqual(pagerDutyEventFor(succeeded(), options), { routing_key: options.routingKey, event_action: "resolve", dedup_key: "cti-etl/cti-etl-prod" });
  });

  it("sends nothing for a skipped run", () => {
    assert.equal(pagerDutyEventFor(skipped(), options), undefined);
  });

  it("names the job as the source off ECS", () => {
    assert.equal(pagerDutyEventFor(failed(), options)?.payload?.source, "cti-etl/cti-etl-prod");
  });

  it("keeps the summary within PagerDuty's 1024 characters and secrets out of it", () => {
    const event = pagerDutyEventFor(failed("INTERNAL", `cannot reach postgres://etl:pw@db/cti ${"x".repeat(2000)}`), options);
    assert.equal(event?.payload?.summary.length, MAX_SUMMARY_LENGTH);
    assert.ok(!event?.payload?.summary.includes("pw@"));
  });
});

describe("pagerDutyDedupKey", () => {
  it("is one key per job, within PagerDuty's 255 characters", () => {
    assert.equal(pagerDutyDedupKey("a"), "cti-etl/a");
    assert.equal(pagerDutyDedupKey("j".repeat(400)).length, 255);
  });
});
