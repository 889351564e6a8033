/**
 * The decisions of the embedded warehouse's lock (load/warehouse-lock.ts), as pure functions:
 * where the lock lives, who holds it, when a lock is stale, how long to wait, and what a person
 * is told. PGlite is Postgres in single-user mode: two processes opening one folder corrupt it
 * (https://github.com/electric-sql/pglite/issues/323), so every command that opens the folder
 * (run, sql, status: opening alone writes) holds the lock while the database is open.
 */
import { resolve } from "node:path";
import { type } from "arktype";

/** Default of `CTI_WAREHOUSE_LOCK_WAIT_SECONDS` / `--lock-wait`: how long a second command waits. */
export const DEFAULT_LOCK_WAIT_SECONDS = 60;

/**
 * The lock's clock, in ms. The holder touches the lock's mtime every `updateMs`
 * (proper-lockfile); a lock untouched for `staleMs` whose holder is not a live process on this
 * host is taken over, so a holder killed with SIGKILL blocks the next command at most
 * `staleMs + pollMs`. A live local holder is never taken over, however long its event loop is
 * blocked (PGlite runs a statement synchronously on the main thread). proper-lockfile's floor:
 * `update` ≥ 1000, `update` ≤ `stale / 2`.
 */
export interface LockTiming {
  staleMs: number;
  updateMs: number;
  /** How often a waiting command tries again. */
  pollMs: number;
}

export const LOCK_TIMING: LockTiming = { staleMs: 10_000, updateMs: 2_000, pollMs: 250 };

/** Who holds the lock: written by the holder inside the lock folder, as `holder.json`. */
export const lockHolderSchema = type({
  pid: "number.integer > 0",
  host: "string",
  /** `run`, `sql` or `status`. */
  command: "string",
  "runId?": "string",
  /** ISO time the lock was taken. */
  since: "string",
  /** Tells this holder's lock from a later one of the same pid. */
  token: "string",
});

export type LockHolder = typeof lockHolderSchema.infer;

/** The holder file inside the lock folder. */
export const HOLDER_FILE = "holder.json";

/**
 * The lock folder of a warehouse folder: beside it (`.cti-etl/warehouse.lock`), never inside,
 * so PGlite's data directory holds only what Postgres wrote.
 */
export function lockPathFor(dataDir: string): string {
  return resolve(dataDir) + ".lock";
}

/** The holder in `text` (holder.json), or undefined when it is missing or not one. */
export function parseHolder(text: string | undefined): LockHolder | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = lockHolderSchema(JSON.parse(text));
    return parsed instanceof type.errors ? undefined : parsed;
  } catch {
    return undefined;
  }
}

/**
 * Whether a lock is stale, i.e. may be taken over: untouched for longer than `staleMs`, and its
 * holder is not a process alive on this host. Another host's holder (a shared folder) is judged
 * by the mtime alone.
 */
export function isLockStale(lock: { ageMs: number; holder: LockHolder | undefined }, here: { host: string; alive: boolean }, staleMs: number): boolean {
  if (lock.ageMs <= staleMs) return false;
  return !(lock.holder !== undefined && lock.holder.host === here.host && here.alive);
}

/**
 * How long to sleep before the next try, or undefined once `boundMs` has passed: a waiter
 * tries every `pollMs` and one last time at the bound.
 */
export function nextPollDelay(elapsedMs: number, boundMs: number, pollMs: number): number | undefined {
  if (elapsedMs >= boundMs) return undefined;
  return Math.max(0, Math.min(pollMs, boundMs - elapsedMs));
}

/** `pid 4242 on laptop, run 2026-…-ab12 (cti-etl run), since 2026-12-06T04:30:00.000Z (12 s ago)`. */
export function describeLockHolder(holder: LockHolder | undefined, nowMs: number): string {
  if (!holder) return "another process (no holder recorded)";
  const ago = Math.max(0, Math.round((nowMs - Date.parse(holder.since)) / 1000));
  const run = holder.runId !== undefined ? `, run ${holder.runId}` : "";
  return `pid ${holder.pid} on ${holder.host}${run} (cti-etl ${holder.command}), since ${holder.since} (${Number.isFinite(ago) ? ago : "?"} s ago)`;
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** The line a waiting command prints once, on stderr. */
export function waitingMessage(dataDir: string, holder: LockHolder | undefined, boundMs: number, nowMs: number): string {
  return `waiting up to ${seconds(boundMs)} for the warehouse lock on ${dataDir}, held by ${describeLockHolder(holder, nowMs)}`;
}

/** The error of a command that waited `boundMs` in vain: who holds the warehouse, and what to do. */
export function lockedMessage(dataDir: string, holder: LockHolder | undefined, boundMs: number, nowMs: number): string {
  return (
    `the warehouse ${dataDir} is in use: the lock is held by ${describeLockHolder(holder, nowMs)}; ` +
    `waited ${seconds(boundMs)} (--lock-wait or CTI_WAREHOUSE_LOCK_WAIT_SECONDS); retry once it ends`
  );
}
