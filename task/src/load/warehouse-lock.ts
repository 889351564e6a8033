/**
 * One process at a time opens an embedded (PGlite) warehouse folder: a lock folder beside it
 * (`<dir>.lock`, holding `holder.json`), taken with proper-lockfile before PGlite opens the
 * folder and released after it is closed. A second command waits, says for whom, and gives up
 * at a bound with `WAREHOUSE_LOCKED` (exit 2) naming the holder.
 *
 * proper-lockfile (mkdir lock, mtime kept fresh, compromise detection, removal on exit) is used
 * through its `fs` option with three changes, each closing a hole of the plain mkdir lock:
 * - the lock folder appears with its holder inside (made as a temporary folder, then renamed),
 *   so a reader never sees a lock without its holder and a plain `rmdir` never removes a live one;
 * - a lock whose holder is a live process on this host is never stale, however long its event
 *   loop is blocked (PGlite runs each statement synchronously on the main thread);
 * - a stale lock is taken over by renaming it to a name of the taker's own, then judging that
 *   folder again (no one else can touch it), so two takers of one stale lock cannot both win
 *   (proper-lockfile's stat-then-rmdir can: moxystudio/node-proper-lockfile#121).
 * @see https://github.com/moxystudio/node-proper-lockfile#lockfile-options
 */
import { randomUUID } from "node:crypto";
import { readFileSync, rmSync, utimes } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { EtlError } from "../errors.ts";
import {
  HOLDER_FILE,
  isLockStale,
  LOCK_TIMING,
  lockedMessage,
  lockPathFor,
  nextPollDelay,
  parseHolder,
  waitingMessage,
  type LockHolder,
  type LockTiming,
} from "./warehouse-lock-decision.ts";

/** Who is asking, how long it waits, and where it reports. */
export interface WarehouseLockOptions {
  /** The command taking the lock: `run`, `sql` or `status`. */
  command: string;
  /** The run's id, shown to whoever waits. */
  runId?: string;
  /** How long to wait for a holder to finish, ms; 0 tries once. */
  waitMs: number;
  /** Told once, when the lock is held by another: the line to show and the holder (without its token). */
  onWait?: (message: string, holder: Omit<LockHolder, "token"> | undefined) => void;
  /** Told if the lock is lost while held (its folder removed or replaced by hand). */
  onLost?: (error: Error) => void;
  /** Default {@link LOCK_TIMING}; tests shorten it. */
  timing?: LockTiming;
}

/** A held lock. */
export interface WarehouseLock {
  /** The lock folder, e.g. `/home/me/.cti-etl/warehouse.lock`. */
  readonly path: string;
  readonly holder: LockHolder;
  /** Releases the lock; safe to call twice, never throws. */
  release(): Promise<void>;
}

/**
 * Takes the lock of the warehouse folder `dataDir`, waiting up to `options.waitMs` for another
 * holder to release it or for its lock to go stale.
 * @throws EtlError WAREHOUSE_LOCKED naming the holder (pid, host, run, since) once the wait is over,
 *   or saying why the lock folder cannot be made.
 */
export async function acquireWarehouseLock(dataDir: string, options: WarehouseLockOptions): Promise<WarehouseLock> {
  // Loaded here, not at start-up: a run without an embedded warehouse never needs it.
  // CommonJS: its exports are the default export, under Node and in the bundle alike.
  const { default: lockfile } = await import("proper-lockfile");
  const timing = options.timing ?? LOCK_TIMING;
  const path = lockPathFor(dataDir);
  const cannot = (error: unknown) =>
    new EtlError("WAREHOUSE_LOCKED", `cannot take the warehouse lock ${path}: ${(error as Error).message}`, { file: dataDir }, { cause: error });
  await mkdir(dirname(path), { recursive: true }).catch((error: unknown) => {
    throw cannot(error);
  });
  const started = Date.now();
  let announced = false;
  for (;;) {
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      command: options.command,
      ...(options.runId !== undefined ? { runId: options.runId } : {}),
      since: new Date().toISOString(),
      token: randomUUID(),
    };
    try {
      const release = await lockfile.lock(resolve(dataDir), {
        realpath: false,
        lockfilePath: path,
        stale: timing.staleMs,
        update: timing.updateMs,
        retries: 0,
        fs: lockFs(holder, timing.staleMs),
        // proper-lockfile's default throws, ending the process: report instead, and let the
        // command finish what it is doing rather than leave the database mid-statement.
        onCompromised: (error) => options.onLost?.(error),
      });
      let released: Promise<void> | undefined;
      return { path, holder, release: () => (released ??= release().catch(() => undefined)) };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // ENOENT: the lock vanished while proper-lockfile looked at it (another taker removed a
      // stale lock between the mkdir that found it and the stat that judged it): try again.
      if (code === "ENOENT") continue;
      if (code !== "ELOCKED") throw cannot(error);
    }
    const current = await readHolder(path);
    const delay = nextPollDelay(Date.now() - started, options.waitMs, timing.pollMs);
    if (delay === undefined) throw new EtlError("WAREHOUSE_LOCKED", lockedMessage(dataDir, current, options.waitMs, Date.now()), { file: dataDir });
    if (!announced) {
      announced = true;
      const { token: _, ...shown } = current ?? { token: "" };
      options.onWait?.(waitingMessage(dataDir, current, options.waitMs, Date.now()), current && (shown as Omit<LockHolder, "token">));
    }
    await sleep(delay);
  }
}

/** The holder recorded in the lock folder `lockDir`, if any. */
export async function readHolder(lockDir: string): Promise<LockHolder | undefined> {
  return parseHolder(await readFile(join(lockDir, HOLDER_FILE), "utf8").catch(() => undefined));
}

/** Whether `pid` is a live process here (EPERM: alive, another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

type Callback<T = void> = (error: NodeJS.ErrnoException | null, value?: T) => void;

const lockError = (code: string, message: string) => Object.assign(new Error(message), { code });

/** The `fs` proper-lockfile uses for one attempt by `own` (see the module's comment); exported for its tests. */
export function lockFs(own: LockHolder, staleMs: number) {
  const here = hostname();
  const staleNow = async (dir: string) => {
    const [info, holder] = await Promise.all([stat(dir), readHolder(dir)]);
    const alive = holder !== undefined && holder.host === here && processAlive(holder.pid);
    return { info, holder, stale: isLockStale({ ageMs: Date.now() - info.mtimeMs, holder }, { host: here, alive }, staleMs) };
  };
  let created = false;
  const settle = <T>(work: Promise<T>, callback: Callback<T>) => void work.then((value) => callback(null, value), (error: NodeJS.ErrnoException) => callback(error));
  return {
    mkdir(path: string, callback: Callback) {
      const create = async () => {
        const tmp = `${path}.${own.token}.tmp`;
        await mkdir(tmp);
        try {
          await writeFile(join(tmp, HOLDER_FILE), JSON.stringify(own) + "\n");
          // rename(2) never replaces a non-empty folder: a held lock stays held.
          await rename(tmp, path);
          created = true;
        } catch (error) {
          await rm(tmp, { recursive: true, force: true });
          const code = (error as NodeJS.ErrnoException).code;
          throw code === "ENOTEMPTY" || code === "EEXIST" ? lockError("EEXIST", `${path} exists`) : error;
        }
      };
      settle(create(), callback);
    },
    stat(path: string, callback: Callback<{ mtime: Date }>) {
      // Once this attempt made the lock (the mtime probe, the updates): the folder as it is, so a
      // lock replaced under its holder shows another mtime, which proper-lockfile reports.
      if (created) return settle(stat(path), callback);
      const judge = async () => {
        const { info, stale } = await staleNow(path);
        // Another's lock: proper-lockfile judges by mtime alone, so one that is not stale by our
        // rule (a live local holder) is reported as just touched.
        return stale ? info : { mtime: new Date() };
      };
      settle(judge(), callback);
    },
    utimes(path: string, atime: Date, mtime: Date, callback: Callback) {
      utimes(path, atime, mtime, callback);
    },
    rmdir(path: string, callback: Callback) {
      const remove = async () => {
        const claimed = `${path}.${randomUUID()}.removing`;
        await rename(path, claimed); // ENOENT: already gone, which proper-lockfile accepts
        const { holder, stale } = await staleNow(claimed);
        if (holder?.token !== own.token && !stale) {
          // Not ours and not stale: a live lock that replaced the stale one since it was judged.
          await rename(claimed, path).catch(() => rm(claimed, { recursive: true, force: true }));
          throw lockError("ELOCKED", "Lock file is already being held");
        }
        await rm(claimed, { recursive: true, force: true });
      };
      settle(remove(), callback);
    },
    /** At process exit (proper-lockfile's handler): remove the lock if it is still ours. */
    rmdirSync(path: string) {
      const holder = parseHolder(readFileSync(join(path, HOLDER_FILE), "utf8"));
      if (holder?.token === own.token) rmSync(path, { recursive: true, force: true });
    },
  };
}
