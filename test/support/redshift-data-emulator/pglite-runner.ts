/**
 * Runs one Data API statement on PGlite the way Redshift runs it: as one session (temp
 * tables and settings vanish afterwards), a batch as ONE transaction (or each statement in its
 * own with ExecutionMode AUTO_COMMIT), any failure or cancel rolling back. Applies the fault
 * hooks: `failWhen` fails a statement before it runs, `hangWhen` holds it STARTED, after its
 * SQL ran and before commit, until cancelled.
 */
import type { ParserOptions, PGlite, Transaction } from "@electric-sql/pglite";
import { copyFailureMessage, copyFromS3, CopyLoadError } from "./copy-from-s3.ts";
import type { EmulatorFaults } from "./faults.ts";
import type { S3ObjectSource } from "./object-source.ts";
import { setStatus, type StatementRecord, type StatementResult, type StatementStatus, type SubStatement } from "./statement-record.ts";
import { bindNamedParameters, translateStatement, type SqlParameter } from "./translate.ts";

/** What the runner needs from the emulator. */
export interface RunnerContext {
  db: PGlite;
  faults: EmulatorFaults;
  /** Where COPY reads objects; throws when the emulator was started without one. */
  objectSource(): S3ObjectSource;
  /** Identity parsers for every type, so values arrive as Postgres text. */
  rawParsers: ParserOptions;
  typeName(oid: number): string;
}

/** How a statement ended. */
export interface RunOutcome {
  status: Extract<StatementStatus, "FINISHED" | "FAILED" | "ABORTED">;
  error?: string;
}

/** Session-level setting behind the `pg_last_copy_count()` shim. */
export const LAST_COPY_COUNT_SETTING = "redshift_emulator.last_copy_count";

class Aborted extends Error {}
class SubStatementFailed extends Error {}

/** Runs every sub-statement of `statement`, updating their statuses as it goes. */
export async function runStatement(statement: StatementRecord, ctx: RunnerContext): Promise<RunOutcome> {
  const signal = statement.abort.signal;
  const subs = statement.subStatements;
  const params = statement.request.parameters;
  let outcome: RunOutcome;
  try {
    if (statement.request.executionMode === "AUTO_COMMIT") {
      for (const sub of subs) await ctx.db.transaction((tx) => runSubStatements(tx, [sub], params, signal, ctx));
    } else {
      await ctx.db.transaction((tx) => runSubStatements(tx, subs, params, signal, ctx));
    }
    outcome = { status: "FINISHED" };
  } catch (error) {
    if (error instanceof Aborted || signal.aborted) {
      outcome = { status: "ABORTED", error: `Query (${subs[0]!.redshiftQueryId}) cancelled on user's request` };
    } else if (error instanceof SubStatementFailed) {
      outcome = { status: "FAILED", error: error.message };
    } else {
      outcome = { status: "FAILED", error: formatError(error) };
    }
    for (const sub of subs) {
      if (sub.status === "STARTED" || sub.status === "SUBMITTED") {
        setStatus(sub, outcome.status === "ABORTED" || sub.status === "SUBMITTED" ? "ABORTED" : "FAILED");
      }
    }
  } finally {
    // The end of the Data API's session: temp tables, settings and pg_last_copy_count go.
    await ctx.db.exec("DISCARD ALL").catch(() => undefined);
  }
  return outcome;
}

async function runSubStatements(
  tx: Transaction,
  subs: readonly SubStatement[],
  params: readonly SqlParameter[],
  signal: AbortSignal,
  ctx: RunnerContext,
): Promise<void> {
  for (const sub of subs) {
    if (signal.aborted) throw new Aborted();
    setStatus(sub, "STARTED");
    const injected = ctx.faults.failWhen?.(sub.sql);
    if (injected !== undefined) fail(sub, injected);
    let result: { rows: number; result?: StatementResult };
    try {
      result = await runSql(tx, sub.sql, params, ctx);
    } catch (error) {
      fail(sub, formatError(error));
    }
    if (ctx.faults.hangWhen?.(sub.sql)) await untilAborted(signal);
    if (signal.aborted) throw new Aborted();
    sub.resultRows = result.rows;
    sub.hasResultSet = result.result !== undefined;
    if (result.result) sub.result = result.result;
    setStatus(sub, "FINISHED");
  }
}

function fail(sub: SubStatement, message: string): never {
  sub.error = message;
  setStatus(sub, "FAILED");
  throw new SubStatementFailed(message);
}

/** Runs one statement's SQL in `tx`: a COPY from S3, a no-op, or plain SQL. */
async function runSql(
  tx: Transaction,
  sql: string,
  params: readonly SqlParameter[],
  ctx: RunnerContext,
): Promise<{ rows: number; result?: StatementResult }> {
  const translated = translateStatement(bindNamedParameters(sql, params).sql);
  switch (translated.kind) {
    case "no-op":
      return { rows: 0 };
    case "copy": {
      try {
        const { rowsLoaded } = await copyFromS3(tx, translated.copy, ctx.objectSource());
        await tx.query("SELECT set_config($1, $2, false)", [LAST_COPY_COUNT_SETTING, String(rowsLoaded)]);
        return { rows: rowsLoaded };
      } catch (error) {
        if (error instanceof CopyLoadError) throw new Error(copyFailureMessage(translated.copy, error));
        throw error;
      }
    }
    case "sql": {
      const res = await tx.query<unknown[]>(translated.sql, [], { rowMode: "array", parsers: ctx.rawParsers });
      if (res.fields.length === 0) return { rows: res.affectedRows ?? 0 };
      const rows = res.rows as Array<Array<string | null>>;
      const columns = res.fields.map((f) => ({ name: f.name, typeName: ctx.typeName(f.dataTypeID) }));
      return { rows: rows.length, result: { columns, rows } };
    }
  }
}

/** The `Error` text of a failed statement, in Redshift's `ERROR: ...` form. */
export function formatError(error: unknown): string {
  if (error instanceof Error) {
    const severity = (error as { severity?: unknown }).severity;
    return `${typeof severity === "string" ? severity : "ERROR"}: ${error.message}`;
  }
  return `ERROR: ${String(error)}`;
}

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(new Aborted());
    else signal.addEventListener("abort", () => reject(new Aborted()), { once: true });
  });
}
