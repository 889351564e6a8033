import assert from "node:assert/strict";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import fc from "fast-check";
import { taskIamActions } from "../../../task/src/iam-actions.ts";
import { LeaseLostError } from "../../../task/src/lease/lease-errors.ts";
import { newLeaseRecord, parseLeaseRecord, serializeLeaseRecord } from "../../../task/src/lease/lease-record.ts";
import { S3Lease, unquotedEtag } from "../../../task/src/lease/s3-lease.ts";
import { FakeClock } from "./support/fake-clock.ts";
import { MemoryS3 } from "./support/memory-s3.ts";

const key = "runs/_lease/lease.json";
const ttlMs = 60_000;

function setup(delay: () => number = () => 0) {
  const clock = new FakeClock();
  const s3 = new MemoryS3(() => clock.now(), delay);
  const lease = (runId: string, extra: { ttlMs?: number } = {}) =>
    new S3Lease(s3.client, { bucket: "b", key, runId, taskArn: `arn:aws:ecs:us-east-1:123456789012:task/cti-etl-dev/${runId}`, ttlMs, clock, ...extra });
  const stored = () => parseLeaseRecord(s3.body(key) ?? "");
  return { clock, s3, lease, stored };
}

describe("S3Lease (protocol, in memory)", () => {
  describe("acquire", () => {
    it("creates the lease with If-None-Match: * and writes run id, task ARN and expiry", async () => {
      const { s3, lease, stored } = setup();
      const outcome = await lease("run-a").acquire();
      assert.equal(outcome.acquired, true);
      assert.deepEqual(s3.log, ["GET runs/_lease/lease.json", "PUT runs/_lease/lease.json If-None-Match=*"]);
      assert.deepEqual([stored()?.runId, stored()?.taskArn, stored()?.expiresAt], ["run-a", "arn:aws:ecs:us-east-1:123456789012:task/cti-etl-dev/run-a", "2026-01-20T03:01:00.000Z"]);
    });

    it("reports the holder to a second run, which does not write", async () => {
      const { s3, lease } = setup();
      await lease("run-a").acquire();
      const outcome = await lease("run-b").acquire();
      assert.deepEqual(outcome, {
        acquired: false,
        heldBy: { runId: "run-a", taskArn: "arn:aws:ecs:us-east-1:123456789012:task/cti-etl-dev/run-a", expiresAt: "2026-01-20T03:01:00.000Z" },
      });
      assert.equal(s3.log.filter((l) => l.startsWith("PUT")).length, 1);
    });

    it("lets exactly one of many runs started together win, whatever the interleaving (property)", async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2, max: 6 }), fc.infiniteStream(fc.integer({ min: 0, max: 6 })), async (runs, delays) => {
          const { lease, stored } = setup(() => delays.next().value);
          const outcomes = await Promise.all(Array.from({ length: runs }, (_, i) => lease(`run-${i}`).acquire()));
          const winners = outcomes.flatMap((o, i) => (o.acquired ? [`run-${i}`] : []));
          assert.equal(winners.length, 1);
          assert.equal(stored()?.runId, winners[0]);
          for (const o of outcomes) if (!o.acquired) assert.equal(o.heldBy.runId, winners[0]);
        }),
        { numRuns: 50 },
      );
    });

    it("takes over a crashed run's lease once it has expired, not before", async () => {
      const { clock, s3, lease, stored } = setup();
      await lease("crashed").acquire(); // never renewed, never released
      await clock.advance(ttlMs - 1);
      assert.equal((await lease("early").acquire()).acquired, false);
      await clock.advance(1);
      const etag = s3.log.length;
      const outcome = await lease("next").acquire();
      assert.equal(outcome.acquired && outcome.tookOverFrom?.runId, "crashed");
      assert.match(s3.log[etag + 1]!, /^PUT runs\/_lease\/lease\.json If-Match=[0-9a-f]{32}$/, "conditional on the crashed run's ETag, unquoted");
      assert.equal(stored()?.runId, "next");
    });

    it("respects an unreadable lease object for one TTL, then takes it over", async () => {
      const { clock, s3, lease, stored } = setup();
      s3.put(key, "not a lease");
      assert.equal((await lease("run-a").acquire()).acquired, false);
      await clock.advance(ttlMs);
      assert.equal((await lease("run-b").acquire()).acquired, true);
      assert.equal(stored()?.runId, "run-b");
    });

    it("adopts its own lease when the response to its create was lost and the SDK's retry was refused", async () => {
      const { s3, lease } = setup();
      s3.loseResponseOf = (command) => command instanceof PutObjectCommand;
      const a = lease("run-a");
      const outcome = await a.acquire();
      assert.equal(outcome.acquired, true);
      assert.equal(a.held, true);
      await a.renew();
    });

    it("refuses to be called twice", async () => {
      const { lease } = setup();
      const a = lease("run-a");
      await a.acquire();
      await assert.rejects(a.acquire(), /already held/);
    });
  });

  describe("renew", () => {
    it("extends the expiry with a write conditional on its own ETag", async () => {
      const { clock, s3, lease, stored } = setup();
      const a = lease("run-a");
      await a.acquire();
      await clock.advance(20_000);
      const renewed = await a.renew();
      assert.deepEqual([renewed.expiresAt, renewed.generation], ["2026-01-20T03:01:20.000Z", 1]);
      assert.deepEqual(stored(), renewed);
      assert.match(s3.log.at(-1)!, /^PUT .* If-Match=[0-9a-f]{32}$/);
    });

    it("keeps a run that outlives its first lease the holder, with automatic renewal", async () => {
      const { clock, lease, stored } = setup();
      const a = lease("run-a");
      await a.acquire();
      a.startRenewing();
      for (let step = 0; step < 12; step++) {
        await clock.advance(ttlMs / 4);
        assert.equal((await lease(`contender-${step}`).acquire()).acquired, false, `step ${step}`);
      }
      assert.equal(a.lost.aborted, false);
      assert.ok(Date.parse(stored()!.expiresAt) > clock.now());
      await a.release();
      assert.equal((await lease("after").acquire()).acquired, true);
    });

    it("adopts its renewal when the response was lost and the retry was refused", async () => {
      const { s3, lease } = setup();
      const a = lease("run-a");
      await a.acquire();
      s3.loseResponseOf = (command) => command instanceof PutObjectCommand;
      assert.equal((await a.renew()).generation, 1);
      assert.equal((await a.renew()).generation, 2);
      assert.equal(a.lost.aborted, false);
    });

    it("retries a renewal that failed for another reason, and reports it", async () => {
      const { clock, s3, lease } = setup();
      const a = lease("run-a");
      await a.acquire();
      const errors: unknown[] = [];
      a.startRenewing(20_000, (error) => errors.push(error));
      s3.failNext = (command) => command instanceof PutObjectCommand;
      await clock.advance(20_000);
      assert.equal(errors.length, 1);
      await clock.advance(1_000);
      assert.equal(a.record?.generation, 1, "renewed on the retry");
      assert.equal(a.lost.aborted, false);
      await a.release();
    });
  });

  describe("losing the lease", () => {
    it("aborts lost at its expiry when no renewal got through, before anyone else may take it over", async () => {
      const { clock, lease } = setup();
      const a = lease("run-a");
      await a.acquire();
      await clock.advance(ttlMs - 1);
      assert.equal(a.lost.aborted, false);
      await clock.advance(1);
      assert.equal(a.lost.aborted, true);
      assert.ok(a.lost.reason instanceof LeaseLostError);
      assert.match((a.lost.reason as LeaseLostError).message, /expired at 2026-01-20T03:01:00\.000Z before it was renewed/);
      await assert.rejects(a.renew(), LeaseLostError);
    });

    it("aborts lost when a renewal is refused because another run took the lease over", async () => {
      const { s3, lease } = setup();
      const a = lease("run-a");
      await a.acquire();
      // Another run holds it now (as after a takeover).
      s3.put(key, serializeLeaseRecord(newLeaseRecord({ runId: "run-b", taskArn: "arn:b" }, Date.now(), ttlMs)));
      await assert.rejects(a.renew(), (error: LeaseLostError) => {
        assert.equal(error.code, "LEASE_LOST");
        assert.match(error.message, /^run run-b \(task arn:b\) took the lease over$/);
        assert.equal(error.heldBy?.runId, "run-b");
        return true;
      });
      assert.equal(a.lost.aborted, true);
      assert.equal(a.held, false);
    });

    it("never deletes the lease of the run that took it over", async () => {
      const { clock, lease, stored } = setup();
      const a = lease("run-a");
      await a.acquire();
      await clock.advance(ttlMs);
      assert.equal((await lease("run-b").acquire()).acquired, true);
      assert.deepEqual(await a.release(), { released: false, reason: "lost", heldBy: { runId: "run-b", taskArn: "arn:aws:ecs:us-east-1:123456789012:task/cti-etl-dev/run-b", expiresAt: "2026-01-20T03:02:00.000Z" } });
      assert.equal(stored()?.runId, "run-b");
    });
  });

  describe("release", () => {
    it("deletes the lease with If-Match on its own ETag, so the next run creates a fresh one", async () => {
      const { s3, lease } = setup();
      const a = lease("run-a");
      await a.acquire();
      assert.deepEqual(await a.release(), { released: true });
      assert.equal(s3.body(key), undefined);
      assert.match(s3.log.at(-1)!, /^DELETE runs\/_lease\/lease\.json If-Match=[0-9a-f]{32}$/);
      assert.equal((await lease("run-b").acquire()).acquired, true);
    });

    it("stops renewal and never aborts lost afterwards", async () => {
      const { clock, lease } = setup();
      const a = lease("run-a");
      await a.acquire();
      a.startRenewing();
      await a.release();
      await clock.advance(10 * ttlMs);
      assert.equal(a.lost.aborted, false);
      assert.equal(clock.pending, 0, "no timer left behind");
    });

    it("is safe to call whatever happened, and answers the same twice", async () => {
      const { lease } = setup();
      const never = lease("run-z");
      assert.deepEqual(await never.release(), { released: false, reason: "not-held" });
      await lease("run-a").acquire();
      const skipped = lease("run-b");
      await skipped.acquire();
      assert.deepEqual(await skipped.release(), { released: false, reason: "not-held" });
      const c = setup().lease("run-c");
      await c.acquire();
      const first = await c.release();
      assert.deepEqual(await c.release(), first);
    });
  });

  describe("exclusivity (property)", () => {
    it("never lets two runs believe they hold the lease, whatever runs, renews, crashes and time do", async () => {
      type Step = { run: number; action: "acquire" | "renew" | "release" | "crash" | "wait"; ms: number };
      const step = fc.record({
        run: fc.integer({ min: 0, max: 3 }),
        action: fc.constantFrom<Step["action"]>("acquire", "renew", "release", "crash", "wait"),
        ms: fc.integer({ min: 0, max: ttlMs }),
      });
      await fc.assert(
        // Each round runs one to three steps at the same time; requests interleave at random.
        fc.asyncProperty(fc.array(fc.array(step, { minLength: 1, maxLength: 3 }), { minLength: 5, maxLength: 30 }), fc.infiniteStream(fc.integer({ min: 0, max: 4 })), async (rounds, delays) => {
          const { clock, lease, stored } = setup(() => delays.next().value);
          let generation = 0;
          const runs = [0, 1, 2, 3].map((i) => lease(`run-${i}-${generation}`));
          const check = () => {
            const believers = runs.filter((r) => r.held);
            assert.ok(believers.length <= 1, `${believers.length} runs believe they hold the lease`);
            if (believers[0]) assert.equal(stored()?.runId, believers[0].record!.runId, "the believer's record is the one stored");
          };
          const perform = async ({ run, action, ms }: Step) => {
            const current = runs[run]!;
            if (action === "acquire" && !current.held) {
              const fresh = lease(`run-${run}-${++generation}`);
              runs[run] = fresh;
              await fresh.acquire().catch(() => undefined);
            }
            if (action === "renew" && current.held) await current.renew().catch(() => undefined);
            if (action === "release") await current.release().catch(() => undefined);
            if (action === "crash") {
              current.stopRenewing();
              runs[run] = lease(`run-${run}-${++generation}`); // forgotten: never renewed nor released
            }
            if (action === "wait") await clock.advance(ms);
          };
          for (const round of rounds) {
            await Promise.all(round.map(perform));
            check();
          }
        }),
        { numRuns: 100 },
      );
    });
  });

  it("calls exactly the S3 actions the task role grants on the lease key", async () => {
    const { clock, s3, lease } = setup();
    const a = lease("run-a");
    await a.acquire();
    await clock.advance(1_000);
    await a.renew();
    await a.release();
    const actions = { GET: "s3:GetObject", PUT: "s3:PutObject", DELETE: "s3:DeleteObject" } as Record<string, string>;
    const used = [...new Set(s3.log.map((line) => actions[line.split(" ")[0]!]!))].sort();
    assert.deepEqual(used, [...taskIamActions.s3Lease.objects].sort());
    assert.ok(s3.log.every((line) => line.split(" ")[1] === key), "only the lease key");
  });

  it("sends ETags without quotes (radosgw matches only the bare ETag)", () => {
    assert.equal(unquotedEtag('"0cc175b9c0f1b6a831c399e269772661"'), "0cc175b9c0f1b6a831c399e269772661");
    assert.equal(unquotedEtag("0cc175b9c0f1b6a831c399e269772661"), "0cc175b9c0f1b6a831c399e269772661");
  });

  it("refuses a TTL that is not positive and a renewal interval not below the TTL", async () => {
    const { lease } = setup();
    assert.throws(() => lease("x", { ttlMs: 0 }), /ttlMs must be a positive number/);
    const a = lease("run-a");
    await a.acquire();
    assert.throws(() => a.startRenewing(ttlMs), /renewal interval must be above 0 and below the lease TTL/);
  });
});
