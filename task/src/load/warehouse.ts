/**
 * The warehouse port: what the job asks of a warehouse, whichever it is (Redshift through
 * the Data API, or Postgres: embedded PGlite or a `postgres://` server). Loads are exactly
 * once: one transaction stages the run's clean parts, inserts only rows the target lacks,
 * and records the run in a ledger keyed by a fingerprint of the input, so a rerun of the
 * same input is a no-op that names the run that loaded it.
 */
import type { RecordCounts } from "../records/record-counts.ts";

/** One input object of the run, as the summary reports it. */
export interface LoadInput {
  /** Path or URI of the input, e.g. `s3://in/2026/11/26.csv`. */
  uri: string;
  /** S3 ETag of the version read, when the input is S3 (kept in the ledger, not part of the identity). */
  etag?: string;
  /** SHA-256 of the raw bytes read, lower-case hex. */
  sha256: string;
  /** Raw bytes read. */
  bytes: number;
}

/** One clean part of the run: gzip CSV with the header `key,data`. */
export interface LoadPart {
  /** Final URL: `s3://…` or `file://…`; the same as the manifest entry. */
  url: string;
  /** Data rows (the header not counted). */
  rows: number;
  /** Compressed size in bytes. */
  bytes: number;
}

export interface LoadRequest {
  runId: string;
  /** The ECS task that ran the load (from the task metadata endpoint), recorded in the ledger. Default `local`. */
  taskArn?: string;
  /** Target table, optionally schema-qualified, lower-case identifiers, e.g. "public.cti_records". */
  table: string;
  /** Identity of the input (input-fingerprint.ts: each object's URI, sha256 and size; not its ETag): a rerun of the same bytes is a no-op. */
  inputs: LoadInput[];
  /** The run's counts (rowsRead, clean, duplicates, rejected, rejectedByReason). */
  counts: RecordCounts;
  /** When the run started, ISO 8601, e.g. `2026-11-26T10:45:12.000Z`. */
  startedAt: string;
  /** Final URL of the run's COPY manifest: s3://… (Redshift) or file://… / s3://… (Postgres reads the parts itself). */
  manifestUrl: string;
  /** The clean parts, in order, at their final URLs (same as manifest entries). */
  parts: LoadPart[];
  /**
   * The parts may hold a row more than once: the shards of a fanned-out run, each deduplicated on
   * its own (plan/). The load then inserts each distinct row once, and the ledger counts rows as
   * one task would have: `clean` the distinct rows, `duplicates` the shards' plus the repeats
   * across shards. Default false: one transform's parts, distinct by construction.
   */
  rowsMayRepeat?: boolean;
}

export interface LoadResult {
  outcome: "loaded" | "already-loaded";
  /** This run's id, or for already-loaded the id of the earlier run that loaded this input. */
  loadedBy: string;
  /** New rows inserted into the target (0 when already loaded). */
  loaded: number;
  /**
   * Clean rows of this run that were already in the target (cross-run duplicates). When the
   * input was already loaded, every clean row of this run is: the run's clean row count.
   */
  alreadyPresent: number;
}

export interface Warehouse {
  /** Creates tables if missing, then loads in one transaction; never leaves half a load. */
  load(request: LoadRequest, signal?: AbortSignal): Promise<LoadResult>;
  /** Runs one read-only statement for `cti-etl sql` / tests. */
  query(sql: string): Promise<QueryResult>;
  close(): Promise<void>;
}

/** Rows of {@link Warehouse.query}, in column order. */
export interface QueryResult {
  columns: string[];
  rows: unknown[][];
}
