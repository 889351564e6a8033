import assert from "node:assert/strict";
import { EtlError, exitCodeFor, formatError } from "../../task/src/errors.ts";

describe("exit codes and error lines", () => {
  it("maps bad usage and bad input to 2, everything else to 1", () => {
    for (const code of ["USAGE", "INPUT_NOT_FOUND", "INPUT_UNREADABLE", "BAD_HEADER", "INPUT_CHANGED", "OUTPUT_REJECTED", "ANOMALOUS_DATA", "QUERY_FAILED", "WAREHOUSE_LOCKED"] as const) {
      assert.equal(exitCodeFor(new EtlError(code, "x")), 2, code);
    }
    for (const code of ["INVARIANT_BROKEN", "LOAD_FAILED", "DEADLINE_EXCEEDED", "LEASE_LOST", "INTERNAL"] as const) {
      assert.equal(exitCodeFor(new EtlError(code, "x")), 1, code);
    }
    assert.equal(exitCodeFor(new Error("boom")), 1);
    assert.equal(exitCodeFor(Object.assign(new Error("anomalous"), { code: "ANOMALOUS_DATA" })), 2);
  });

  it("names the code, file, line and field", () => {
    assert.equal(formatError(new EtlError("BAD_HEADER", "missing", { file: "a.csv", line: 3, field: "Data" })), "cti-etl: BAD_HEADER a.csv:3 field Data: missing");
    assert.equal(formatError(new EtlError("USAGE", "bad flag")), "cti-etl: USAGE: bad flag");
    assert.equal(formatError(Object.assign(new Error("taken over"), { code: "LEASE_LOST" })), "cti-etl: LEASE_LOST: taken over");
    assert.match(formatError(new TypeError("bug")), /^cti-etl: INTERNAL: TypeError: bug/);
  });
});
