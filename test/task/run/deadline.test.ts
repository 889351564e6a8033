import assert from "node:assert/strict";
import { EtlError, exitCodeFor } from "../../../task/src/errors.ts";
import { LeaseLostError } from "../../../task/src/lease/lease-errors.ts";
import { startDeadline, stopSignal } from "../../../task/src/run/deadline.ts";
import { FakeClock } from "../lease/support/fake-clock.ts";

describe("deadline", () => {
  describe("startDeadline", () => {
    it("aborts at the deadline, not before, with DEADLINE_EXCEEDED (exit 1)", async () => {
      const clock = new FakeClock();
      const deadline = startDeadline(90, clock);
      await clock.advance(89_999);
      assert.equal(deadline.signal.aborted, false);
      assert.equal(deadline.remainingMs(), 1);
      await clock.advance(1);
      assert.equal(deadline.signal.aborted, true);
      const reason = deadline.signal.reason as EtlError;
      assert.equal(reason.code, "DEADLINE_EXCEEDED");
      assert.match(reason.message, /passed its deadline of 90 s \(at 2026-01-20T03:01:30\.000Z\)/);
      assert.equal(exitCodeFor(reason), 1);
      assert.equal(deadline.remainingMs(), 0);
    });

    it("never aborts once cancelled", async () => {
      const clock = new FakeClock();
      const deadline = startDeadline(10, clock);
      deadline.cancel();
      await clock.advance(60_000);
      assert.equal(deadline.signal.aborted, false);
      assert.equal(clock.pending, 0);
    });

    it("does not keep the process alive with the system clock", () => {
      const deadline = startDeadline(3600);
      assert.equal(deadline.signal.aborted, false);
      deadline.cancel();
    });
  });

  describe("stopSignal", () => {
    it("aborts with the reason of whichever stops the run first", () => {
      const deadline = new AbortController();
      const lease = new AbortController();
      const stop = stopSignal(deadline.signal, undefined, lease.signal)!;
      lease.abort(new LeaseLostError("run b took the lease over"));
      deadline.abort(new Error("later"));
      assert.ok(stop.reason instanceof LeaseLostError);
    });

    it("is the one signal given, or none", () => {
      const only = new AbortController().signal;
      assert.equal(stopSignal(undefined, only), only);
      assert.equal(stopSignal(undefined), undefined);
    });
  });
});
