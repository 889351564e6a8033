import assert from "node:assert/strict";
import {
  describeHolder,
  holderOf,
  newLeaseRecord,
  parseLeaseRecord,
  renewedLeaseRecord,
  serializeLeaseRecord,
} from "../../../task/src/lease/lease-record.ts";

const t0 = Date.parse("2026-01-20T03:00:00Z");
const record = newLeaseRecord({ runId: "20260120T030000Z-abc123", taskArn: "arn:aws:ecs:us-east-1:123456789012:task/cti-etl-dev/0a1b" }, t0, 300_000);

describe("lease-record", () => {
  it("holds the run id, the task ARN and an expiry one TTL away", () => {
    assert.deepEqual(record, {
      version: 1,
      runId: "20260120T030000Z-abc123",
      taskArn: "arn:aws:ecs:us-east-1:123456789012:task/cti-etl-dev/0a1b",
      acquiredAt: "2026-01-20T03:00:00.000Z",
      renewedAt: "2026-01-20T03:00:00.000Z",
      expiresAt: "2026-01-20T03:05:00.000Z",
      generation: 0,
    });
  });

  it("renews to a later expiry and the next generation, keeping when it was acquired", () => {
    const renewed = renewedLeaseRecord(record, t0 + 100_000, 300_000);
    assert.deepEqual([renewed.acquiredAt, renewed.renewedAt, renewed.expiresAt, renewed.generation], [record.acquiredAt, "2026-01-20T03:01:40.000Z", "2026-01-20T03:06:40.000Z", 1]);
  });

  it("reads back what it writes", () => {
    assert.deepEqual(parseLeaseRecord(serializeLeaseRecord(record)), record);
  });

  it("reads anything else as no record: not JSON, missing fields, another version", () => {
    assert.equal(parseLeaseRecord("{not json"), undefined);
    assert.equal(parseLeaseRecord(JSON.stringify({ runId: "x" })), undefined);
    assert.equal(parseLeaseRecord(JSON.stringify({ ...record, version: 2 })), undefined);
    assert.equal(parseLeaseRecord(JSON.stringify({ ...record, expiresAt: "soon" })), undefined);
  });

  it("tells a skipping run who holds the lease and for how long", () => {
    assert.equal(
      describeHolder(holderOf(record), t0 + 60_000),
      "run 20260120T030000Z-abc123 (task arn:aws:ecs:us-east-1:123456789012:task/cti-etl-dev/0a1b) holds the lease until 2026-01-20T03:05:00.000Z (240 s from now, unless it renews or releases it)",
    );
  });
});
