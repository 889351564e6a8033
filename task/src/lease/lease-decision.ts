import { holderOf, type LeaseHolder, type LeaseRecord } from "./lease-record.ts";

/**
 * What a run does about the lease it found (pure). The S3 adapter reads the lease object, asks
 * here, and carries the answer out with a conditional write, so a wrong guess (someone else got
 * there first) fails with 412 and is decided again from a fresh read.
 */

/** The lease object as read. */
export type ExistingLease =
  | { readonly state: "absent" }
  | {
      readonly state: "present";
      /** ETag of the object read; the write that replaces it is conditional on it. */
      readonly etag: string;
      /** When the object was last written (S3's clock); used only when the record is unreadable. */
      readonly lastModified?: number;
      /** The record, or `undefined` when the object is not a valid record. */
      readonly record?: LeaseRecord;
    };

/** Who is asking. */
export interface LeaseClaimant {
  /** Run id of the claimant. */
  readonly runId: string;
  /** How long a lease lasts without renewal, ms; also how long an unreadable lease is respected. */
  readonly ttlMs: number;
}

/** The decision. */
export type LeaseDecision =
  /** No lease: create one, only if none exists (`If-None-Match: *`). */
  | { readonly action: "create" }
  /** Expired (its holder crashed or hung), or unreadable and old: replace it, only if unchanged (`If-Match`). */
  | { readonly action: "take-over"; readonly etag: string; readonly reason: "expired" | "unreadable"; readonly previous?: LeaseHolder }
  /** Already ours and current: a write whose response was lost (the SDK retried it into a 412). */
  | { readonly action: "adopt"; readonly etag: string; readonly record: LeaseRecord }
  /** Held by another run until it expires: skip this run. */
  | { readonly action: "skip"; readonly heldBy: LeaseHolder };

/**
 * Decides from the lease read and the time now (ms since the epoch). A lease expires at its
 * `expiresAt`: before that instant it is held, at and after it anyone may take it over. The
 * holder treats its own lease as lost at the same instant (see S3Lease), so two runs never both
 * believe they hold it.
 */
export function decideLease(existing: ExistingLease, now: number, claimant: LeaseClaimant): LeaseDecision {
  if (existing.state === "absent") return { action: "create" };
  const { etag, record } = existing;
  if (record === undefined) {
    // Nobody can say who wrote it; respect it for one lease term from its last write.
    const expiresAt = (existing.lastModified ?? now) + claimant.ttlMs;
    if (existing.lastModified !== undefined && now >= expiresAt) return { action: "take-over", etag, reason: "unreadable" };
    return { action: "skip", heldBy: { runId: "(unreadable lease object)", taskArn: "(unknown)", expiresAt: new Date(expiresAt).toISOString() } };
  }
  const expired = now >= Date.parse(record.expiresAt);
  if (record.runId === claimant.runId && !expired) return { action: "adopt", etag, record };
  if (expired) return { action: "take-over", etag, reason: "expired", previous: holderOf(record) };
  return { action: "skip", heldBy: holderOf(record) };
}
