import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { classifyS3Error } from "../s3/s3-errors.ts";
import { formatS3Uri } from "../s3/s3-uri.ts";
import { decideLease, type ExistingLease } from "./lease-decision.ts";
import { LeaseContendedError, LeaseLostError } from "./lease-errors.ts";
import {
  holderOf,
  type LeaseHolder,
  type LeaseRecord,
  newLeaseRecord,
  parseLeaseRecord,
  renewedLeaseRecord,
  serializeLeaseRecord,
} from "./lease-record.ts";

/**
 * Never two runs at once: a lease on one S3 object, taken and kept with conditional writes.
 *
 * - **acquire**: read the object and decide (lease-decision.ts). None: create it with
 *   `If-None-Match: *`. Expired (a crashed run): replace it with `If-Match: <its ETag>`. Held:
 *   report the holder; the run skips. S3 lets exactly one of two racing conditional writes
 *   through; the loser (412) reads again and decides again.
 * - **renew**: rewrite it with a later expiry, `If-Match: <our ETag>`. A 412 means another run
 *   took it over after it expired: the lease is lost and {@link S3Lease.lost} aborts.
 * - **lost**: also aborts when the lease's own expiry passes without a successful renewal: from
 *   that instant another run may take it over, so this run must no longer act as the holder.
 * - **release**: delete it, `If-Match: <our ETag>` (after reading it to check it is still ours,
 *   for stores that ignore conditions on DELETE), so a run never deletes a successor's lease.
 *
 * ETags are sent without their quotes. AWS S3 accepts either form in `If-Match`; Ceph radosgw
 * compares the header byte for byte with its stored, unquoted ETag, so a quoted one never
 * matches there (see test/support/s3-server.it.test.ts).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html
 */
export class S3Lease {
  /** Aborts, with a {@link LeaseLostError}, when this run stops holding the lease before releasing it. */
  readonly lost: AbortSignal;

  private readonly controller = new AbortController();
  private readonly clock: LeaseClock;
  private readonly uri: string;
  private state: "new" | "held" | "not-held" | "lost" | "releasing" | "released" = "new";
  private current: { record: LeaseRecord; etag: string } | undefined;
  private watchdog: LeaseTimer | undefined;
  private renewTimer: LeaseTimer | undefined;
  private inflight: Promise<LeaseRecord> | undefined;
  private releasing: Promise<ReleaseOutcome> | undefined;

  constructor(
    private readonly client: S3Client,
    private readonly options: S3LeaseOptions,
  ) {
    if (!(options.ttlMs > 0) || !Number.isFinite(options.ttlMs)) throw new RangeError(`lease ttlMs must be a positive number of ms (was ${options.ttlMs})`);
    this.clock = options.clock ?? systemClock;
    this.uri = formatS3Uri({ bucket: options.bucket, key: options.key });
    this.lost = this.controller.signal;
  }

  /** The record as last written by this run, while it holds (or last held) the lease. */
  get record(): LeaseRecord | undefined {
    return this.current?.record;
  }

  /** Whether this run holds the lease right now. */
  get held(): boolean {
    return this.state === "held";
  }

  /**
   * Takes the lease, or reports who holds it. Call once.
   * @throws EtlError when S3 refuses the requests (access, bucket), LeaseContendedError when
   *   every round lost a race.
   */
  async acquire(): Promise<LeaseOutcome> {
    if (this.state !== "new") throw new Error(`acquire() was called on a lease that is already ${this.state}`);
    const { runId, taskArn, ttlMs } = this.options;
    const rounds = this.options.attempts ?? 5;
    for (let round = 0; round < rounds; round++) {
      const existing = await this.read();
      const now = this.clock.now();
      const decision = decideLease(existing, now, { runId, ttlMs });
      switch (decision.action) {
        case "skip":
          this.state = "not-held";
          return { acquired: false, heldBy: decision.heldBy };
        case "adopt":
          this.hold(decision.record, decision.etag);
          return { acquired: true, lease: decision.record };
        case "create":
        case "take-over": {
          const ownPrevious = existing.state === "present" && existing.record?.runId === runId ? existing.record.generation + 1 : 0;
          const record = { ...newLeaseRecord({ runId, taskArn }, now, ttlMs), generation: ownPrevious };
          const etag = await this.write(record, decision.action === "create" ? { IfNoneMatch: "*" } : { IfMatch: unquotedEtag(decision.etag) });
          if (etag === undefined) continue; // another run wrote first: read again
          this.hold(record, etag);
          return decision.action === "take-over" && decision.previous
            ? { acquired: true, lease: record, tookOverFrom: decision.previous }
            : { acquired: true, lease: record };
        }
      }
    }
    throw new LeaseContendedError(`could not settle the lease at ${this.uri} in ${rounds} rounds: other runs kept writing it; retry the run`);
  }

  /**
   * Renews the lease once: a later expiry, written only if the object is still ours. Concurrent
   * calls share one request.
   * @throws LeaseLostError (and aborts {@link lost}) when the lease is no longer ours; EtlError
   *   when S3 could not be reached (the lease may still be ours: retry before it expires).
   */
  renew(): Promise<LeaseRecord> {
    if (this.state === "lost") return Promise.reject(this.controller.signal.reason as LeaseLostError);
    if (this.state !== "held") return Promise.reject(new Error(`renew() needs a held lease (it is ${this.state})`));
    this.inflight ??= this.renewOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /**
   * Renews every `intervalMs` (default a third of the TTL, so two renewals can fail before the
   * lease expires) until {@link stopRenewing}, {@link release} or the loss of the lease. A
   * renewal that fails for another reason is retried within a second and reported to `onError`.
   */
  startRenewing(intervalMs = this.options.ttlMs / 3, onError?: (error: unknown) => void): void {
    if (this.state !== "held") throw new Error(`startRenewing() needs a held lease (it is ${this.state})`);
    if (!(intervalMs > 0) || intervalMs >= this.options.ttlMs) {
      throw new RangeError(`renewal interval must be above 0 and below the lease TTL of ${this.options.ttlMs} ms (was ${intervalMs})`);
    }
    this.stopRenewing();
    const schedule = (ms: number) => {
      this.renewTimer = this.clock.setTimeout(() => void tick(), ms);
    };
    const tick = async () => {
      this.renewTimer = undefined;
      if (this.state !== "held") return;
      try {
        await this.renew();
        if (this.state === "held") schedule(intervalMs);
      } catch (error) {
        if (this.state !== "held") return;
        onError?.(error);
        schedule(Math.min(intervalMs, 1000));
      }
    };
    schedule(intervalMs);
  }

  /** Stops automatic renewal. The lease stays held until it expires or is released. */
  stopRenewing(): void {
    if (this.renewTimer !== undefined) this.clock.clearTimeout(this.renewTimer);
    this.renewTimer = undefined;
  }

  /**
   * Gives the lease up: stops renewing and deletes the object if it is still ours. Safe to call
   * in a `finally` whatever happened: a lease never held, already lost or taken over is left
   * alone (a lost lease that is, after all, still ours is deleted). After it is called,
   * {@link lost} never aborts. Calling it again returns the first call's result.
   * @throws EtlError when S3 could not be reached (the lease then expires on its own).
   */
  release(): Promise<ReleaseOutcome> {
    this.releasing ??= this.releaseOnce();
    return this.releasing;
  }

  private async releaseOnce(): Promise<ReleaseOutcome> {
    this.stopRenewing();
    if (this.inflight) await this.inflight.catch(() => undefined);
    if (this.state === "new" || this.state === "not-held") return { released: false, reason: "not-held" };
    const wasLost = this.state === "lost";
    this.state = "releasing";
    this.clearWatchdog();
    try {
      return await this.deleteIfOurs(wasLost);
    } finally {
      this.state = "released";
    }
  }

  /** Deletes the object if it is still the one this run last wrote. */
  private async deleteIfOurs(wasLost: boolean): Promise<ReleaseOutcome> {
    const ours = unquotedEtag(this.current!.etag);
    const existing = await this.read();
    if (existing.state === "absent") return { released: true };
    if (unquotedEtag(existing.etag) !== ours) {
      return { released: false, reason: wasLost ? "lost" : "taken-over", ...(existing.record ? { heldBy: holderOf(existing.record) } : {}) };
    }
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.options.key, IfMatch: ours }));
      return { released: true };
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) return { released: true };
      if (status === 412 || status === 409) return { released: false, reason: "taken-over" };
      throw classifyS3Error(error, this.uri, "output");
    }
  }

  private async renewOnce(): Promise<LeaseRecord> {
    const current = this.current!;
    const now = this.clock.now();
    if (now >= Date.parse(current.record.expiresAt)) {
      this.markLost(new LeaseLostError(`the lease expired at ${current.record.expiresAt} before it was renewed; another run may hold it now`));
      throw this.controller.signal.reason as LeaseLostError;
    }
    const next = renewedLeaseRecord(current.record, now, this.options.ttlMs);
    let etag = await this.write(next, { IfMatch: unquotedEtag(current.etag) });
    if (etag === undefined) {
      // Refused. Unless our own earlier attempt of this very write got through (its response was
      // lost and the SDK's retry hit the new ETag), someone else holds the object now.
      const existing = await this.read();
      const mine = existing.state === "present" && existing.record?.runId === this.options.runId && existing.record.generation === next.generation;
      if (!mine) {
        const heldBy = existing.state === "present" && existing.record ? holderOf(existing.record) : undefined;
        this.markLost(
          new LeaseLostError(
            heldBy ? `run ${heldBy.runId} (task ${heldBy.taskArn}) took the lease over` : `the lease object ${this.uri} was removed or replaced`,
            heldBy,
          ),
        );
        throw this.controller.signal.reason as LeaseLostError;
      }
      etag = existing.etag;
    }
    if (this.state !== "held") throw (this.controller.signal.reason as LeaseLostError | undefined) ?? new Error(`the lease was ${this.state} while renewing`);
    this.hold(next, etag);
    return next;
  }

  private hold(record: LeaseRecord, etag: string): void {
    this.current = { record, etag };
    this.state = "held";
    this.clearWatchdog();
    const left = Math.max(0, Date.parse(record.expiresAt) - this.clock.now());
    this.watchdog = this.clock.setTimeout(
      () => this.markLost(new LeaseLostError(`the lease expired at ${record.expiresAt} before it was renewed; another run may hold it now`)),
      left,
    );
  }

  private markLost(error: LeaseLostError): void {
    if (this.state !== "held") return;
    this.state = "lost";
    this.stopRenewing();
    this.clearWatchdog();
    this.controller.abort(error);
  }

  private clearWatchdog(): void {
    if (this.watchdog !== undefined) this.clock.clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  private async read(): Promise<ExistingLease> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.options.key }));
      const text = (await response.Body?.transformToString("utf-8")) ?? "";
      const record = parseLeaseRecord(text);
      return {
        state: "present",
        etag: response.ETag ?? "",
        ...(response.LastModified ? { lastModified: response.LastModified.getTime() } : {}),
        ...(record ? { record } : {}),
      };
    } catch (error) {
      if (statusOf(error) === 404) return { state: "absent" };
      throw classifyS3Error(error, this.uri, "output");
    }
  }

  /** Writes the record under a condition: its ETag, or `undefined` when the condition failed. */
  private async write(record: LeaseRecord, condition: { IfNoneMatch: "*" } | { IfMatch: string }): Promise<string | undefined> {
    try {
      const response = await this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: this.options.key,
          Body: serializeLeaseRecord(record),
          ContentType: "application/json",
          CacheControl: "no-store",
          ...condition,
        }),
      );
      if (!response.ETag) throw new Error(`S3 returned no ETag for ${this.uri}`);
      return response.ETag;
    } catch (error) {
      const status = statusOf(error);
      // 412: the condition failed. 409: a concurrent conditional write is in flight. 404: If-Match
      // on an object that no longer exists (AWS; radosgw answers 412).
      if (status === 412 || status === 409 || (status === 404 && "IfMatch" in condition)) return undefined;
      throw classifyS3Error(error, this.uri, "output");
    }
  }
}

/** What {@link S3Lease} needs. */
export interface S3LeaseOptions {
  /** Bucket of the lease object. */
  readonly bucket: string;
  /** Key of the lease object; see `leaseKey()`. Example: `runs/_lease/lease.json`. */
  readonly key: string;
  /** This run's id, written into the lease. */
  readonly runId: string;
  /** This run's ECS task ARN (from the task metadata endpoint), or `local`. */
  readonly taskArn: string;
  /**
   * How long the lease lasts without renewal, ms. It is also how long a crashed run blocks the
   * next one. Example: 300000 (5 min) with renewals every 100 s.
   */
  readonly ttlMs: number;
  /** Time and timers; default the system's (timers unref'd). Tests pass a fake clock. */
  readonly clock?: LeaseClock;
  /** Read-decide-write rounds `acquire()` tries before giving up. Default 5. */
  readonly attempts?: number;
}

/** The result of {@link S3Lease.acquire}. */
export type LeaseOutcome =
  | { readonly acquired: true; readonly lease: LeaseRecord; readonly tookOverFrom?: LeaseHolder }
  | { readonly acquired: false; readonly heldBy: LeaseHolder };

/** The result of {@link S3Lease.release}. */
export type ReleaseOutcome =
  | { readonly released: true }
  | { readonly released: false; readonly reason: "not-held" | "lost" | "taken-over"; readonly heldBy?: LeaseHolder };

/** A timer handle of a {@link LeaseClock}. */
export type LeaseTimer = unknown;

/** The time source of a lease. */
export interface LeaseClock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): LeaseTimer;
  clearTimeout(timer: LeaseTimer): void;
}

/** Wall-clock time; timers do not keep the process alive. */
export const systemClock: LeaseClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

/** An ETag without its surrounding quotes (S3 returns them quoted; radosgw matches only unquoted). */
export function unquotedEtag(etag: string): string {
  return etag.replace(/^"(.*)"$/, "$1");
}

function statusOf(error: unknown): number | undefined {
  const e = error as { $metadata?: { httpStatusCode?: number }; name?: string } | undefined;
  if (e?.name === "NoSuchKey" || e?.name === "NotFound") return 404;
  return e?.$metadata?.httpStatusCode;
}
