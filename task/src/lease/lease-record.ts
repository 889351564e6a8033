import { type } from "arktype";

/**
 * The content of the lease object (pure): who holds it and until when. Written as JSON by the
 * holder; read, and validated, by every run that wants it.
 */
export const leaseRecordSchema = type({
  /** Format version of this record. */
  version: "1",
  /** Run id of the holder. */
  runId: "string > 0",
  /** ECS task ARN of the holder (`local` outside ECS). */
  taskArn: "string > 0",
  /** When the holder first took the lease (ISO 8601). */
  acquiredAt: "string.date.iso",
  /** When the holder last wrote it. */
  renewedAt: "string.date.iso",
  /** After this instant the lease is free to take over, unless renewed before. */
  expiresAt: "string.date.iso",
  /** Counts the holder's writes: 0 when taken, +1 per renewal. Makes every write's content (and ETag) unique. */
  generation: "number.integer >= 0",
});

/** A lease record. */
export type LeaseRecord = typeof leaseRecordSchema.infer;

/** Who holds a lease, as a skipped run reports it. */
export interface LeaseHolder {
  /** Run id of the holder. */
  readonly runId: string;
  /** ECS task ARN of the holder. */
  readonly taskArn: string;
  /** ISO 8601 instant the lease expires unless renewed. */
  readonly expiresAt: string;
}

/** A new holder's record at `now`. */
export function newLeaseRecord(holder: { runId: string; taskArn: string }, now: number, ttlMs: number): LeaseRecord {
  const at = new Date(now).toISOString();
  return { version: 1, runId: holder.runId, taskArn: holder.taskArn, acquiredAt: at, renewedAt: at, expiresAt: new Date(now + ttlMs).toISOString(), generation: 0 };
}

/** The holder's record renewed at `now`: a new expiry and the next generation. */
export function renewedLeaseRecord(record: LeaseRecord, now: number, ttlMs: number): LeaseRecord {
  return { ...record, renewedAt: new Date(now).toISOString(), expiresAt: new Date(now + ttlMs).toISOString(), generation: record.generation + 1 };
}

/** The record as stored. */
export function serializeLeaseRecord(record: LeaseRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/** The stored record, or `undefined` when the text is not a valid record (corrupt, foreign, another version). */
export function parseLeaseRecord(text: string): LeaseRecord | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const record = leaseRecordSchema(json);
  return record instanceof type.errors ? undefined : record;
}

/** The holder part of a record. */
export function holderOf(record: LeaseRecord): LeaseHolder {
  return { runId: record.runId, taskArn: record.taskArn, expiresAt: record.expiresAt };
}

/** One line for the log of a run that skips: who holds the lease and for how much longer. */
export function describeHolder(holder: LeaseHolder, now: number): string {
  const seconds = Math.max(0, Math.ceil((Date.parse(holder.expiresAt) - now) / 1000));
  return `run ${holder.runId} (task ${holder.taskArn}) holds the lease until ${holder.expiresAt} (${seconds} s from now, unless it renews or releases it)`;
}
