import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readdir, stat, utimes, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { EtlError } from "../../../task/src/errors.ts";
import { acquireWarehouseLock, lockFs, readHolder, type WarehouseLock } from "../../../task/src/load/warehouse-lock.ts";
import { HOLDER_FILE, lockPathFor, type LockHolder } from "../../../task/src/load/warehouse-lock-decision.ts";
import { spawnTracked, stop } from "../../support/processes.ts";
import { tempDir } from "../../support/temp-dir.ts";
import { startLockHolder } from "./support/lock-holder-process.ts";

/** Shortened so the tests take seconds; the same rules as LOCK_TIMING. */
const TIMING = { staleMs: 2000, updateMs: 1000, pollMs: 100 };

const isLocked = (pattern: RegExp) => (e: unknown) => e instanceof EtlError && e.code === "WAREHOUSE_LOCKED" && pattern.test(e.message);

/** The pid of a process that has exited (so no process has it, for a while). */
async function deadPid(): Promise<number> {
  const child = spawnTracked(process.execPath, ["-e", "0"]);
  const pid = child.pid!;
  await new Promise((resolve) => child.once("exit", resolve));
  return pid;
}

/** A lock folder as a holder that is gone left it: its holder inside, its mtime `ageMs` ago. */
async function leftLock(dataDir: string, holder: Partial<LockHolder>, ageMs: number): Promise<string> {
  const path = lockPathFor(dataDir);
  await mkdir(path, { recursive: true });
  const full: LockHolder = { pid: 1, host: hostname(), command: "run", runId: "left", since: new Date(Date.now() - ageMs).toISOString(), token: "left", ...holder };
  await writeFile(join(path, HOLDER_FILE), JSON.stringify(full));
  const then = new Date(Date.now() - ageMs);
  await utimes(path, then, then);
  return path;
}

describe("acquireWarehouseLock", function () {
  this.timeout(30_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let dataDir: string;
  const held: WarehouseLock[] = [];
  beforeEach(async () => {
    dir = await tempDir();
    dataDir = join(dir.path, "warehouse");
  });
  afterEach(async () => {
    for (const lock of held.splice(0)) await lock.release();
    await dir.cleanup();
  });
  const take = async (options: Partial<Parameters<typeof acquireWarehouseLock>[1]> = {}) => {
    const lock = await acquireWarehouseLock(dataDir, { command: "run", waitMs: 0, timing: TIMING, ...options });
    held.push(lock);
    return lock;
  };

  it("makes a lock folder beside the warehouse holding who holds it, and removes it on release", async () => {
    const lock = await take({ runId: "r-1" });
    assert.equal(lock.path, lockPathFor(dataDir));
    const holder = await readHolder(lock.path);
    assert.deepEqual(holder, lock.holder);
    assert.deepEqual([holder?.pid, holder?.host, holder?.runId, holder?.command], [process.pid, hostname(), "r-1", "run"]);
    assert.ok(Math.abs(Date.parse(holder!.since) - Date.now()) < 5000);
    await lock.release();
    await lock.release(); // twice is harmless
    assert.equal(existsSync(lock.path), false);
    assert.deepEqual(await readdir(dir.path), [], "no temporary or removed lock folder is left behind");
  });

  it("makes a second taker wait, say once who holds it, and give up at the bound with WAREHOUSE_LOCKED naming the holder", async () => {
    const first = await take({ runId: "first" });
    const waits: string[] = [];
    const started = Date.now();
    await assert.rejects(
      take({ runId: "second", waitMs: 1200, onWait: (m) => waits.push(m) }),
      isLocked(new RegExp(`in use: the lock is held by pid ${process.pid} on ${hostname()}, run first \\(cti-etl run\\), since ${first.holder.since.replace(/[.]/g, "\\.")}.*waited 1 s`)),
    );
    const waited = Date.now() - started;
    assert.ok(waited >= 1200 && waited < 2500, `waited ${waited} ms for a 1200 ms bound`);
    assert.equal(waits.length, 1);
    assert.match(waits[0]!, new RegExp(`^waiting up to 1 s for the warehouse lock on .*warehouse, held by pid ${process.pid} on .*, run first \\(cti-etl run\\), since `));
    assert.deepEqual(await readHolder(first.path), first.holder, "the holder's lock is untouched");
  });

  it("hands the lock to a waiter as soon as the holder releases it", async () => {
    const first = await take();
    setTimeout(() => void first.release(), 400);
    const started = Date.now();
    const second = await take({ runId: "next", waitMs: 10_000 });
    assert.ok(Date.now() - started < 1500);
    assert.equal((await readHolder(second.path))?.runId, "next");
  });

  it("takes over a lock left by a dead process once untouched for the stale time, not before", async () => {
    await leftLock(dataDir, { pid: await deadPid() }, 0);
    const started = Date.now();
    const waits: string[] = [];
    const lock = await take({ waitMs: 10_000, onWait: (m) => waits.push(m) });
    const waited = Date.now() - started;
    assert.ok(waited >= TIMING.staleMs - 200 && waited < TIMING.staleMs + 1500, `took over after ${waited} ms`);
    assert.match(waits[0] ?? "", /held by pid \d+ .*run left/);
    assert.equal((await readHolder(lock.path))?.token, lock.holder.token);
  });

  it("takes over at once a lock left long ago by a dead process", async () => {
    await leftLock(dataDir, { pid: await deadPid() }, 3_600_000);
    const started = Date.now();
    await take({ waitMs: 0 });
    assert.ok(Date.now() - started < 1000);
  });

  it("never takes over the lock of a live process on this host, however old its mtime", async () => {
    const live = spawnTracked(process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
    try {
      await leftLock(dataDir, { pid: live.pid!, runId: "busy" }, 3_600_000);
      await assert.rejects(take({ waitMs: 500 }), isLocked(new RegExp(`pid ${live.pid} .*run busy`)));
    } finally {
      await stop(live);
    }
  });

  it("lets exactly one of many takers of one stale lock win", async () => {
    await leftLock(dataDir, { pid: await deadPid() }, 3_600_000);
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => take({ runId: `taker-${i}` })));
    const won = results.filter((r): r is PromiseFulfilledResult<WarehouseLock> => r.status === "fulfilled");
    assert.equal(won.length, 1, `${won.length} takers won`);
    for (const r of results) if (r.status === "rejected") assert.ok(isLocked(/in use/)(r.reason), String(r.reason));
    assert.equal((await readHolder(lockPathFor(dataDir)))?.token, won[0]!.value.holder.token);
  });

  it("puts back a lock that turned live after it was judged stale, instead of removing it (proper-lockfile#121)", async () => {
    const live = await take({ runId: "live" });
    // A taker that judged the old lock stale and now removes what is there: the live lock.
    const late: LockHolder = { ...live.holder, pid: process.pid, token: "late", runId: "late" };
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => lockFs(late, TIMING.staleMs).rmdir(live.path, resolve));
    assert.equal(error?.code, "ELOCKED");
    assert.deepEqual(await readHolder(live.path), live.holder);
    assert.deepEqual(await readdir(dir.path), ["warehouse.lock"], "nothing renamed is left behind");
  });

  it("a holder killed with SIGKILL blocks the next taker only until its lock goes stale", async () => {
    const { child, holder } = await startLockHolder(dataDir, "doomed", TIMING);
    assert.equal(holder.pid, child.pid);
    await stop(child, "SIGKILL");
    assert.equal((await readHolder(lockPathFor(dataDir)))?.runId, "doomed", "SIGKILL leaves the lock behind");
    const killed = Date.now();
    const waits: string[] = [];
    const lock = await take({ runId: "after", waitMs: 10_000, onWait: (m) => waits.push(m) });
    const blocked = Date.now() - killed;
    // Stale at most staleMs after the holder's last touch, which was at most updateMs before the
    // kill (proper-lockfile may round the mtime to the second it probed); then one poll, and slack
    // for a loaded machine. Never the wait's 10 s.
    assert.ok(blocked <= TIMING.staleMs + TIMING.updateMs + 1000, `blocked ${blocked} ms`);
    assert.match(waits[0] ?? "", new RegExp(`held by pid ${child.pid} .*run doomed`));
    assert.equal((await readHolder(lock.path))?.runId, "after");
  });

  it("removes the lock when its holder exits without releasing it", async () => {
    const { child } = await startLockHolder(dataDir, "exits", TIMING);
    await stop(child, "SIGTERM");
    assert.equal(existsSync(lockPathFor(dataDir)), false);
    await take({ waitMs: 0 });
  });

  it("keeps the lock's mtime fresh while it is held, so it never goes stale under a live holder", async () => {
    const lock = await take();
    const first = (await stat(lock.path)).mtimeMs;
    await sleep(TIMING.staleMs + 500);
    const { mtimeMs } = await stat(lock.path);
    assert.ok(mtimeMs > first, "the mtime moved");
    assert.ok(Date.now() - mtimeMs <= TIMING.updateMs + 500, `touched ${Date.now() - mtimeMs} ms ago`);
  });

  it("reports a lock folder that cannot be made as WAREHOUSE_LOCKED with the reason, never INTERNAL", async () => {
    await writeFile(join(dir.path, "file"), "");
    dataDir = join(dir.path, "file", "warehouse");
    await assert.rejects(take(), isLocked(/cannot take the warehouse lock .*file\/warehouse\.lock: E[A-Z]+/));
  });
});
