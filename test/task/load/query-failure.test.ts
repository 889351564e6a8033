import assert from "node:assert/strict";
import { EtlError, exitCodeFor, formatError } from "../../../task/src/errors.ts";
import { queryFailedError } from "../../../task/src/load/query-failure.ts";

describe("queryFailedError", () => {
  it("gives a Postgres error its own code, with the message, SQLSTATE and position: exit 2", () => {
    const pgError = Object.assign(new Error('relation "nope" does not exist'), { severity: "ERROR", code: "42P01", position: "15" });
    const error = queryFailedError(pgError);
    assert.equal(formatError(error), 'cti-etl: QUERY_FAILED: the warehouse refused the statement: relation "nope" does not exist (SQLSTATE 42P01, at character 15)');
    assert.equal(exitCodeFor(error), 2);
    assert.equal((error as EtlError).cause, pgError);
  });

  it("leaves out a position the database did not give", () => {
    const error = queryFailedError(Object.assign(new Error("cannot execute DELETE in a read-only transaction"), { severity: "ERROR", code: "25006" }));
    assert.equal(formatError(error), "cti-etl: QUERY_FAILED: the warehouse refused the statement: cannot execute DELETE in a read-only transaction (SQLSTATE 25006)");
  });

  it("recodes Redshift's failed statement and keeps its message", () => {
    const failed = new EtlError("LOAD_FAILED", 'warehouse: Redshift statement 1 of 1 (query) ended FAILED: ERROR: relation "x" does not exist');
    const error = queryFailedError(failed) as EtlError;
    assert.equal(error.code, "QUERY_FAILED");
    assert.equal(error.message, failed.message);
  });

  it("passes every other error through: a held lock, a deadline, a lost connection, a bug", () => {
    const others = [
      new EtlError("WAREHOUSE_LOCKED", "held"),
      new EtlError("DEADLINE_EXCEEDED", "late"),
      Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      Object.assign(new Error("not sql"), { severity: "ERROR", code: "lowercase" }),
      new TypeError("bug"),
      "a string",
    ];
    for (const other of others) assert.equal(queryFailedError(other), other);
  });
});
