/**
 * What `cti-etl sql` says when the warehouse refuses the statement it was given: the database's
 * own message and SQLSTATE, as one line with a code of its own (exit 2: the statement is the
 * user's input), never an INTERNAL error with a stack trace.
 */
import { EtlError } from "../errors.ts";

/** The fields of a Postgres error (node-postgres and PGlite both raise pg-protocol's DatabaseError). */
interface DatabaseErrorFields {
  severity?: unknown;
  code?: unknown;
  message?: unknown;
  position?: unknown;
}

/** Postgres's error codes: five digits or upper-case letters, e.g. `42P01`. */
const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * The error to report for `error`, raised by running a user's statement: Postgres's errors
 * (a SQLSTATE and a severity) and Redshift's failed statement (`LOAD_FAILED` from the Data API
 * session) become `QUERY_FAILED`; anything else (a lock held, a deadline, a lost connection)
 * is returned as it is. Pure.
 * @see https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
export function queryFailedError(error: unknown): unknown {
  if (error instanceof EtlError) {
    return error.code === "LOAD_FAILED" ? new EtlError("QUERY_FAILED", error.message, {}, { cause: error }) : error;
  }
  const fields = (typeof error === "object" && error !== null ? error : {}) as DatabaseErrorFields;
  if (typeof fields.severity !== "string" || typeof fields.code !== "string" || !SQLSTATE.test(fields.code)) return error;
  const at = typeof fields.position === "string" && fields.position !== "" ? `, at character ${fields.position}` : "";
  return new EtlError("QUERY_FAILED", `the warehouse refused the statement: ${String(fields.message)} (SQLSTATE ${fields.code}${at})`, {}, { cause: error });
}
