import type { LeaseHolder } from "./lease-record.ts";

/**
 * The run no longer holds its lease: a renewal was refused because another run took the lease
 * over, the object was removed, or the lease expired before a renewal got through. The run must
 * stop before it loads anything. `S3Lease.lost` aborts with this error.
 *
 * Not an `EtlError`: the composition root maps it (exit 1, so the failure alert fires).
 */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
  /** Stable code, for logs and the exit-code mapping. */
  readonly code = "LEASE_LOST";
  constructor(
    message: string,
    /** The run that holds the lease now, when known. */
    readonly heldBy?: LeaseHolder,
  ) {
    super(message);
  }
}

/**
 * The lease could not be settled: every read-decide-write round lost a race (another run wrote
 * in between each time). Practically impossible with a handful of runs; retry the run.
 */
export class LeaseContendedError extends Error {
  override readonly name = "LeaseContendedError";
  readonly code = "LEASE_CONTENDED";
}
