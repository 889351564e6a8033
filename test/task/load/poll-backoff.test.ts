import assert from "node:assert/strict";
import fc from "fast-check";
import { EtlError } from "../../../task/src/errors.ts";
import { checkPollBackoff, DEFAULT_POLL_BACKOFF, pollDelayMs } from "../../../task/src/load/poll-backoff.ts";

const backoff = { initialMs: 100, maxMs: 3_000 };

describe("pollDelayMs", () => {
  it("doubles the ceiling from initialMs until maxMs", () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 10, 1000].map((attempt) => pollDelayMs(attempt, backoff, () => 0.999999999));
    assert.deepEqual(
      ceilings.map((c) => Math.round(c)),
      [100, 200, 400, 800, 1600, 3000, 3000, 3000, 3000],
    );
  });

  it("draws the wait from the upper half of the ceiling (equal jitter)", () => {
    assert.equal(pollDelayMs(0, backoff, () => 0), 50);
    assert.equal(pollDelayMs(3, backoff, () => 0.5), 600);
  });

  it("never waits less than half the ceiling nor more than maxMs, for any attempt and draw", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 10_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        (attempt, r, initialMs, extra) => {
          const b = { initialMs, maxMs: initialMs + extra };
          const ceiling = Math.min(b.maxMs, initialMs * 2 ** attempt);
          const wait = pollDelayMs(attempt, b, () => r);
          assert.ok(Number.isFinite(wait));
          assert.ok(wait >= ceiling / 2 && wait <= ceiling, `${wait} outside [${ceiling / 2}, ${ceiling}]`);
          assert.ok(wait <= b.maxMs);
        },
      ),
    );
  });

  it("spreads concurrent pollers: different draws give different waits", () => {
    const waits = new Set([0.1, 0.4, 0.7, 0.9].map((r) => pollDelayMs(4, backoff, () => r)));
    assert.equal(waits.size, 4);
  });
});

describe("checkPollBackoff", () => {
  it("accepts the default and 0 < initial <= max", () => {
    assert.deepEqual(checkPollBackoff(DEFAULT_POLL_BACKOFF), DEFAULT_POLL_BACKOFF);
    assert.doesNotThrow(() => checkPollBackoff({ initialMs: 5, maxMs: 5 }));
  });

  it("rejects zero, negative, infinite or inverted bounds as USAGE", () => {
    for (const bad of [
      { initialMs: 0, maxMs: 10 },
      { initialMs: -1, maxMs: 10 },
      { initialMs: 20, maxMs: 10 },
      { initialMs: 1, maxMs: Infinity },
      { initialMs: Number.NaN, maxMs: 10 },
    ]) {
      assert.throws(() => checkPollBackoff(bad), (e: unknown) => e instanceof EtlError && e.code === "USAGE", JSON.stringify(bad));
    }
  });
});
