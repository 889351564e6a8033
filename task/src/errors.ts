/**
 * Failure classes of the job. Each carries a stable `code`, and where known the file or
 * object, the line and the field, so a user can act on the message. The composition root
 * maps codes to exit codes (see {@link exitCodeFor}).
 */
export type EtlErrorCode =
  /** Bad command line: unknown option, missing value. */
  | "USAGE"
  /** The input does not exist (no such file, bucket, key, or an empty prefix). */
  | "INPUT_NOT_FOUND"
  /** The input exists but cannot be read (permissions, a directory, bad credentials). */
  | "INPUT_UNREADABLE"
  /** The header row lacks a required column, or the file has no header at all. */
  | "BAD_HEADER"
  /** A run's shard plan (plan.jsonl) is malformed, or is not the plan of this run. */
  | "BAD_PLAN"
  /** The input changed while it was being read. */
  | "INPUT_CHANGED"
  /** A record runs past the record limit (records/record-limit.ts): an unterminated quote, most likely. */
  | "RECORD_TOO_LONG"
  /** The output location cannot be written, or a run with this id was already published. */
  | "OUTPUT_REJECTED"
  /** rowsRead != clean + duplicates + rejected: a bug; nothing is published. */
  | "INVARIANT_BROKEN"
  /** `cti-etl commit`: some shards of the plan have not published; nothing was loaded. */
  | "SHARDS_INCOMPLETE"
  /** The warehouse refused the load (a statement failed); its transaction was rolled back. */
  | "LOAD_FAILED"
  /** The run's data is far from its history and CTI_ANOMALY_ACTION=fail: nothing was loaded. */
  | "ANOMALOUS_DATA"
  /** `cti-etl sql`: the warehouse refused the statement (its message and SQLSTATE). */
  | "QUERY_FAILED"
  /** The embedded warehouse folder stayed locked by another command past the wait (load/warehouse-lock.ts). */
  | "WAREHOUSE_LOCKED"
  /** Another run took the run lease over (this run stalled past its expiry). */
  | "LEASE_LOST"
  /** The run passed its deadline. */
  | "DEADLINE_EXCEEDED"
  /** The task was stopped (SIGTERM from ECS) before the run ended. */
  | "STOPPED"
  /** Anything else. */
  | "INTERNAL";

/** Where in the input an error was found. */
export interface ErrorLocation {
  /** Path or URI of the file or object. */
  file?: string;
  /** 1-based line number. */
  line?: number;
  /** Column name, as in the header. */
  field?: string;
}

export class EtlError extends Error {
  override readonly name = "EtlError";
  constructor(
    readonly code: EtlErrorCode,
    message: string,
    readonly location: ErrorLocation = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Exit codes, documented in the README: 0 success; 2 bad usage or bad input that stops the
 * run, a statement the warehouse refused (`cti-etl sql`), or an embedded warehouse another
 * command holds past the wait; 1 any other failure.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

const badInputCodes: ReadonlySet<EtlErrorCode> = new Set<EtlErrorCode>([
  "USAGE",
  "INPUT_NOT_FOUND",
  "INPUT_UNREADABLE",
  "BAD_HEADER",
  "BAD_PLAN",
  "INPUT_CHANGED",
  "RECORD_TOO_LONG",
  "OUTPUT_REJECTED",
  "ANOMALOUS_DATA",
  "QUERY_FAILED",
  "WAREHOUSE_LOCKED",
]);

/** The stable code of an error: EtlError and the other coded errors (lease, anomaly). */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[A-Z_]+$/.test(code) ? code : undefined;
}

/** The process exit code for an error thrown by a run. */
export function exitCodeFor(error: unknown): number {
  const code = errorCode(error);
  return code !== undefined && badInputCodes.has(code as EtlErrorCode) ? EXIT_BAD_INPUT : EXIT_FAILURE;
}

/** One line for stderr: `cti-etl: <CODE> <file>:<line> field <field>: <message>`. */
export function formatError(error: unknown): string {
  if (!(error instanceof EtlError)) {
    const code = errorCode(error);
    if (code && error instanceof Error) return `cti-etl: ${code}: ${error.message}`;
    return `cti-etl: INTERNAL: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  }
  const { file, line, field } = error.location;
  const where = [file && (line ? `${file}:${line}` : file), field && `field ${field}`].filter(Boolean).join(" ");
  return `cti-etl: ${error.code}${where ? ` ${where}` : ""}: ${error.message}`;
}
