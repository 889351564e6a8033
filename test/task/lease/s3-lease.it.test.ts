import assert from "node:assert/strict";
import { GetObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { leaseKey } from "../../../task/src/lease/lease-key.ts";
import { LeaseLostError } from "../../../task/src/lease/lease-errors.ts";
import { parseLeaseRecord } from "../../../task/src/lease/lease-record.ts";
import { type LeaseClock, S3Lease, systemClock } from "../../../task/src/lease/s3-lease.ts";
import { freshBucket, s3Server, s3ServerStartTimeoutMs, s3TestClient } from "../../support/s3-server.ts";
import { FakeClock } from "./support/fake-clock.ts";

/**
 * The lease against a real S3 server (Ceph radosgw), whose conditional writes decide the races.
 * Time is a fake clock where a test needs a lease to expire, and the real one where it needs the
 * renewal timer to run.
 *
 * The buckets are unversioned: radosgw (Ceph 19) ignores `If-None-Match: *` on a bucket with
 * versioning enabled, while AWS S3 honours it on both. It also ignores `If-Match` on DELETE,
 * which AWS honours; the lease reads before it deletes for such stores.
 */
describe("S3Lease (against radosgw)", function () {
  let s3: S3Client;
  let bucket: string;
  let round = 0;

  before(async function () {
    this.timeout(s3ServerStartTimeoutMs);
    s3 = s3TestClient(await s3Server());
    bucket = await freshBucket("lease");
  });
  after(() => s3?.destroy());

  /** A fresh key per test, as a stack's output root would have one. */
  const freshKey = () => leaseKey(`runs-${++round}/`);
  const leaseFor = (key: string, runId: string, ttlMs: number, clock: LeaseClock = systemClock) =>
    new S3Lease(s3, { bucket, key, runId, taskArn: `arn:aws:ecs:us-east-1:123456789012:task/cti-etl-test/${runId}`, ttlMs, clock });
  const storedRecord = async (key: string) => {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return parseLeaseRecord(await object.Body!.transformToString());
  };

  it("lets exactly one of two runs started together work; the other learns who holds it", async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const key = freshKey();
      const [a, b] = [leaseFor(key, `a-${attempt}`, 60_000), leaseFor(key, `b-${attempt}`, 60_000)];
      const outcomes = await Promise.all([a.acquire(), b.acquire()]);
      const winners = outcomes.filter((o) => o.acquired);
      assert.equal(winners.length, 1, `attempt ${attempt}: ${JSON.stringify(outcomes)}`);
      const winner = outcomes[0]!.acquired ? a : b;
      const loser = outcomes[0]!.acquired ? outcomes[1]! : outcomes[0]!;
      assert.equal(loser.acquired === false && loser.heldBy.runId, winner.record!.runId);
      assert.equal((await storedRecord(key))?.runId, winner.record!.runId);
      await winner.release();
    }
  });

  it("lets exactly one of eight runs started together work", async () => {
    const key = freshKey();
    const leases = Array.from({ length: 8 }, (_, i) => leaseFor(key, `run-${i}`, 60_000));
    const outcomes = await Promise.all(leases.map((l) => l.acquire()));
    assert.equal(outcomes.filter((o) => o.acquired).length, 1);
    await Promise.all(leases.map((l) => l.release()));
  });

  it("hands a crashed holder's lease to the next run once it expires, to exactly one of two", async () => {
    const key = freshKey();
    const clock = new FakeClock();
    const ttlMs = 60_000;
    await leaseFor(key, "crashed", ttlMs, clock).acquire(); // then the task dies: no renewal, no release
    await clock.advance(ttlMs - 1);
    const early = await leaseFor(key, "too-early", ttlMs, clock).acquire();
    assert.equal(early.acquired === false && early.heldBy.runId, "crashed");
    await clock.advance(1);
    const [next, rival] = [leaseFor(key, "next", ttlMs, clock), leaseFor(key, "rival", ttlMs, clock)];
    const outcomes = await Promise.all([next.acquire(), rival.acquire()]);
    const takers = outcomes.filter((o) => o.acquired);
    assert.equal(takers.length, 1, JSON.stringify(outcomes));
    assert.equal(takers[0]!.acquired && takers[0]!.tookOverFrom?.runId, "crashed");
    await next.release();
    await rival.release();
  });

  it("keeps a holder that outlives its first lease the holder, by renewing it", async function () {
    this.timeout(15_000);
    const key = freshKey();
    const ttlMs = 1_200;
    const holder = leaseFor(key, "long-run", ttlMs);
    assert.equal((await holder.acquire()).acquired, true);
    const renewalErrors: unknown[] = [];
    holder.startRenewing(300, (error) => renewalErrors.push(error));
    const until = Date.now() + 3 * ttlMs;
    let contenders = 0;
    while (Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const outcome = await leaseFor(key, `contender-${++contenders}`, ttlMs).acquire();
      assert.equal(outcome.acquired === false && outcome.heldBy.runId, "long-run", `contender ${contenders}`);
    }
    assert.equal(holder.lost.aborted, false);
    assert.deepEqual(renewalErrors, []);
    assert.ok(holder.record!.generation >= 6, `renewed ${holder.record!.generation} times`);
    assert.deepEqual(await holder.release(), { released: true });
    assert.equal((await leaseFor(key, "after", ttlMs).acquire()).acquired, true);
  });

  it("tells a holder whose lease was taken over, and leaves the new holder's lease alone", async () => {
    const key = freshKey();
    const clock = new FakeClock();
    const ttlMs = 60_000;
    const stalled = leaseFor(key, "stalled", ttlMs, clock);
    await stalled.acquire();
    await clock.advance(ttlMs);
    assert.equal(stalled.lost.aborted, true, "lost at its own expiry");
    const successor = leaseFor(key, "successor", ttlMs, clock);
    assert.equal((await successor.acquire()).acquired, true);
    await assert.rejects(stalled.renew(), LeaseLostError);
    const release = await stalled.release();
    assert.equal(release.released, false);
    assert.equal((await storedRecord(key))?.runId, "successor");
    await successor.renew();
    assert.equal(successor.lost.aborted, false);
    await successor.release();
  });

  it("refuses a renewal whose ETag is stale with 412, and reports the new holder", async () => {
    const key = freshKey();
    const clock = new FakeClock();
    const ttlMs = 60_000;
    const first = leaseFor(key, "first", ttlMs, clock);
    await first.acquire();
    // Make `first` think it still holds it while another run takes over (a paused process).
    const later = new FakeClock(clock.now() + ttlMs);
    const second = leaseFor(key, "second", ttlMs, later);
    assert.equal((await second.acquire()).acquired, true);
    await assert.rejects(first.renew(), (error: LeaseLostError) => error.heldBy?.runId === "second");
    assert.equal(first.lost.aborted, true);
    await second.release();
  });

  it("deletes the lease on release, so the next run creates it afresh", async () => {
    const key = freshKey();
    const lease = leaseFor(key, "done", 60_000);
    await lease.acquire();
    assert.deepEqual(await lease.release(), { released: true });
    await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })), (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode === 404);
    const next = await leaseFor(key, "next", 60_000).acquire();
    assert.equal(next.acquired && next.tookOverFrom, undefined);
  });
});
