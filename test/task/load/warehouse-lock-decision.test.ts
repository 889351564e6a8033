import assert from "node:assert/strict";
import { dirname, resolve } from "node:path";
import {
  describeLockHolder,
  isLockStale,
  LOCK_TIMING,
  lockedMessage,
  lockPathFor,
  nextPollDelay,
  parseHolder,
  waitingMessage,
  type LockHolder,
} from "../../../task/src/load/warehouse-lock-decision.ts";

const holder: LockHolder = { pid: 4242, host: "laptop", command: "run", runId: "r-7", since: "2026-12-06T04:30:00.000Z", token: "t-1" };
const since = Date.parse(holder.since);

describe("lockPathFor", () => {
  it("puts the lock beside the warehouse folder, never inside it, as an absolute path", () => {
    const path = lockPathFor(".cti-etl/warehouse");
    assert.equal(path, resolve(".cti-etl/warehouse") + ".lock");
    assert.equal(dirname(path), resolve(".cti-etl"));
    assert.equal(lockPathFor("/data/wh/"), "/data/wh.lock");
  });
});

describe("parseHolder", () => {
  it("reads a holder record back", () => {
    assert.deepEqual(parseHolder(JSON.stringify(holder)), holder);
  });

  it("gives undefined for a missing, truncated or foreign file", () => {
    assert.equal(parseHolder(undefined), undefined);
    assert.equal(parseHolder(JSON.stringify(holder).slice(0, 20)), undefined);
    assert.equal(parseHolder(JSON.stringify({ ...holder, pid: "4242" })), undefined);
    assert.equal(parseHolder(JSON.stringify({ pid: 1 })), undefined);
  });
});

describe("isLockStale", () => {
  const here = { host: "laptop", alive: false };

  it("keeps a lock touched within the stale time, whoever holds it", () => {
    assert.equal(isLockStale({ ageMs: 10_000, holder }, here, 10_000), false);
    assert.equal(isLockStale({ ageMs: 0, holder: undefined }, here, 10_000), false);
  });

  it("takes over a lock untouched past the stale time whose holder is gone", () => {
    assert.equal(isLockStale({ ageMs: 10_001, holder }, here, 10_000), true);
    assert.equal(isLockStale({ ageMs: 10_001, holder: undefined }, here, 10_000), true);
  });

  it("never takes over a live holder on this host, however old its mtime (a blocked event loop)", () => {
    assert.equal(isLockStale({ ageMs: 3_600_000, holder }, { host: "laptop", alive: true }, 10_000), false);
  });

  it("judges another host's holder by the mtime alone (its pid means nothing here)", () => {
    assert.equal(isLockStale({ ageMs: 10_001, holder }, { host: "other", alive: true }, 10_000), true);
  });
});

describe("nextPollDelay", () => {
  it("polls every pollMs, then once more at the bound, then gives up", () => {
    assert.equal(nextPollDelay(0, 60_000, 250), 250);
    assert.equal(nextPollDelay(59_900, 60_000, 250), 100);
    assert.equal(nextPollDelay(60_000, 60_000, 250), undefined);
    assert.equal(nextPollDelay(61_000, 60_000, 250), undefined);
  });

  it("tries once with a bound of 0", () => {
    assert.equal(nextPollDelay(0, 0, 250), undefined);
  });

  it("never waits past the bound: the sum of the delays is the bound", () => {
    for (const [bound, poll] of [[1000, 250], [1234, 250], [60_000, 250], [5, 250]] as const) {
      let elapsed = 0;
      for (let d = nextPollDelay(elapsed, bound, poll); d !== undefined; d = nextPollDelay(elapsed, bound, poll)) elapsed += d;
      assert.equal(elapsed, bound);
    }
  });
});

describe("LOCK_TIMING", () => {
  it("fits proper-lockfile's rules and lets a killed holder block the next command only seconds", () => {
    assert.ok(LOCK_TIMING.updateMs >= 1000 && LOCK_TIMING.updateMs <= LOCK_TIMING.staleMs / 2);
    assert.ok(LOCK_TIMING.staleMs >= 5000, "proper-lockfile's documented minimum");
    // The next command takes over within stale + one poll of the holder's death.
    assert.ok(LOCK_TIMING.staleMs + LOCK_TIMING.pollMs <= 15_000);
  });
});

describe("describeLockHolder", () => {
  it("names the pid, host, run, command and since, with how long ago", () => {
    assert.equal(
      describeLockHolder(holder, since + 12_400),
      "pid 4242 on laptop, run r-7 (cti-etl run), since 2026-12-06T04:30:00.000Z (12 s ago)",
    );
  });

  it("leaves out the run of a command that has none", () => {
    const { runId: _, ...sql } = holder;
    assert.equal(describeLockHolder({ ...sql, command: "sql" }, since), "pid 4242 on laptop (cti-etl sql), since 2026-12-06T04:30:00.000Z (0 s ago)");
  });

  it("says so when no holder was recorded", () => {
    assert.match(describeLockHolder(undefined, since), /no holder recorded/);
  });
});

describe("waitingMessage and lockedMessage", () => {
  it("say what is waited for, for how long, and who holds it", () => {
    assert.equal(
      waitingMessage(".cti-etl/warehouse", holder, 60_000, since + 1000),
      "waiting up to 60 s for the warehouse lock on .cti-etl/warehouse, held by pid 4242 on laptop, run r-7 (cti-etl run), since 2026-12-06T04:30:00.000Z (1 s ago)",
    );
  });

  it("name the holder, the wait and the setting, and what to do", () => {
    const message = lockedMessage(".cti-etl/warehouse", holder, 5000, since + 6000);
    assert.equal(
      message,
      "the warehouse .cti-etl/warehouse is in use: the lock is held by pid 4242 on laptop, run r-7 (cti-etl run), since 2026-12-06T04:30:00.000Z (6 s ago); waited 5 s (--lock-wait or CTI_WAREHOUSE_LOCK_WAIT_SECONDS); retry once it ends",
    );
  });
});
