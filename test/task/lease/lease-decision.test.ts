import assert from "node:assert/strict";
import fc from "fast-check";
import { decideLease, type ExistingLease } from "../../../task/src/lease/lease-decision.ts";
import { newLeaseRecord } from "../../../task/src/lease/lease-record.ts";

const t0 = Date.parse("2026-01-20T03:00:00Z");
const ttlMs = 60_000;
const claimant = { runId: "run-b", ttlMs };
const heldBy = (runId: string, at = t0) => newLeaseRecord({ runId, taskArn: `arn:aws:ecs:us-east-1:123456789012:task/c/${runId}` }, at, ttlMs);
const present = (record = heldBy("run-a"), etag = '"e1"'): ExistingLease => ({ state: "present", etag, lastModified: t0, record });

describe("decideLease", () => {
  it("creates the lease when there is none", () => {
    assert.deepEqual(decideLease({ state: "absent" }, t0, claimant), { action: "create" });
  });

  it("skips while another run holds it, naming the holder and the expiry", () => {
    assert.deepEqual(decideLease(present(), t0 + ttlMs - 1, claimant), {
      action: "skip",
      heldBy: { runId: "run-a", taskArn: "arn:aws:ecs:us-east-1:123456789012:task/c/run-a", expiresAt: "2026-01-20T03:01:00.000Z" },
    });
  });

  it("takes over an expired lease, only if it is unchanged (its ETag), from the instant it expires", () => {
    assert.deepEqual(decideLease(present(), t0 + ttlMs, claimant), {
      action: "take-over",
      etag: '"e1"',
      reason: "expired",
      previous: { runId: "run-a", taskArn: "arn:aws:ecs:us-east-1:123456789012:task/c/run-a", expiresAt: "2026-01-20T03:01:00.000Z" },
    });
  });

  it("adopts its own current lease (a write whose response was lost)", () => {
    const own = heldBy("run-b");
    assert.deepEqual(decideLease(present(own), t0 + 1, claimant), { action: "adopt", etag: '"e1"', record: own });
  });

  it("takes over its own expired lease rather than adopting it", () => {
    assert.equal(decideLease(present(heldBy("run-b")), t0 + ttlMs, claimant).action, "take-over");
  });

  it("respects an unreadable lease object for one TTL from its last write, then takes it over", () => {
    const unreadable: ExistingLease = { state: "present", etag: '"junk"', lastModified: t0 };
    const skip = decideLease(unreadable, t0 + ttlMs - 1, claimant);
    assert.equal(skip.action, "skip");
    assert.equal(skip.action === "skip" && skip.heldBy.expiresAt, "2026-01-20T03:01:00.000Z");
    assert.deepEqual(decideLease(unreadable, t0 + ttlMs, claimant), { action: "take-over", etag: '"junk"', reason: "unreadable" });
  });

  describe("invariants (property)", () => {
    const arbitraryExisting = fc.oneof(
      fc.constant<ExistingLease>({ state: "absent" }),
      fc.record({
        runId: fc.constantFrom("run-a", "run-b", "run-c"),
        writtenAt: fc.integer({ min: t0 - 10 * ttlMs, max: t0 + 10 * ttlMs }),
        readable: fc.boolean(),
      }).map(({ runId, writtenAt, readable }): ExistingLease => ({ state: "present", etag: `"${runId}-${writtenAt}"`, lastModified: writtenAt, ...(readable ? { record: heldBy(runId, writtenAt) } : {}) })),
    );
    const now = fc.integer({ min: t0 - 10 * ttlMs, max: t0 + 20 * ttlMs });

    it("never takes over, or adopts, a lease before it expires unless it is its own", () => {
      fc.assert(
        fc.property(arbitraryExisting, now, (existing, at) => {
          const decision = decideLease(existing, at, claimant);
          if (existing.state === "absent") return assert.equal(decision.action, "create");
          assert.notEqual(decision.action, "create");
          const expiresAt = existing.record ? Date.parse(existing.record.expiresAt) : existing.lastModified! + ttlMs;
          if (decision.action === "take-over") assert.ok(at >= expiresAt);
          if (decision.action === "adopt") assert.equal(existing.record?.runId, claimant.runId);
          if (decision.action === "skip") assert.ok(at < Date.parse(decision.heldBy.expiresAt));
          // Every replacement of an existing object is conditional on the ETag that was read.
          if (decision.action === "take-over" || decision.action === "adopt") assert.equal(decision.etag, existing.etag);
        }),
      );
    });
  });
});
