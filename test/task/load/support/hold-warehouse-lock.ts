/**
 * A process that takes a warehouse folder's lock through load/warehouse-lock.ts and keeps it
 * until killed: the other holder in the lock's tests (a SIGKILL leaves its lock behind).
 * Usage: node --import tsx hold-warehouse-lock.ts <dataDir> <runId> [staleMs updateMs]
 * Prints the holder as one JSON line on stdout once it holds the lock.
 */
import { acquireWarehouseLock } from "../../../../task/src/load/warehouse-lock.ts";
import { LOCK_TIMING } from "../../../../task/src/load/warehouse-lock-decision.ts";

const [dataDir, runId, staleMs, updateMs] = process.argv.slice(2);
if (!dataDir || !runId) throw new Error("usage: hold-warehouse-lock.ts <dataDir> <runId> [staleMs updateMs]");
const timing = staleMs && updateMs ? { ...LOCK_TIMING, staleMs: Number(staleMs), updateMs: Number(updateMs) } : LOCK_TIMING;
const lock = await acquireWarehouseLock(dataDir, { command: "run", runId, waitMs: 0, timing });
process.stdout.write(JSON.stringify(lock.holder) + "\n");
// Hold until killed; SIGTERM exits normally, so proper-lockfile's exit handler removes the lock.
const hold = setInterval(() => undefined, 60_000);
process.once("SIGTERM", () => {
  clearInterval(hold);
  process.exit(0);
});
