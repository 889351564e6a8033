import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { statementFailedError, statementFailure } from "../../../task/src/load/statement-failure.ts";

const steps = ["lock-ledger", "create-stage", "copy-parts", "check-stage-rows", "insert-new-rows", "insert-ledger-row"];

describe("statementFailure", () => {
  it("names the first failed sub-statement of a batch, with Redshift's message", () => {
    const failure = statementFailure(
      {
        Status: "FAILED",
        Error: "batch failed",
        SubStatements: [
          { Status: "FINISHED" },
          { Status: "FINISHED" },
          { Status: "FAILED", Error: "ERROR: Load into table 'cti_etl_stage' failed. Check 'sys_load_error_detail'" },
          { Status: "ABORTED" },
        ],
      },
      steps,
    );
    assert.deepEqual(failure, {
      position: 3,
      step: "copy-parts",
      status: "FAILED",
      error: "ERROR: Load into table 'cti_etl_stage' failed. Check 'sys_load_error_detail'",
    });
  });

  it("names an aborted sub-statement when none failed", () => {
    const failure = statementFailure({ Status: "ABORTED", SubStatements: [{ Status: "FINISHED" }, { Status: "ABORTED", Error: "cancelled" }] }, steps);
    assert.deepEqual([failure.position, failure.step, failure.status, failure.error], [2, "create-stage", "ABORTED", "cancelled"]);
  });

  it("falls back to the statement's own status and error for a single statement", () => {
    assert.deepEqual(statementFailure({ Status: "FAILED", Error: 'ERROR: relation "x" does not exist' }, ["query"]), {
      position: 1,
      step: "query",
      status: "FAILED",
      error: 'ERROR: relation "x" does not exist',
    });
    assert.equal(statementFailure({ Status: "FAILED" }, []).error, "(Redshift gave no message)");
  });
});

describe("statementFailedError", () => {
  it("says which statement of how many failed, how, and that nothing was written", () => {
    const error = statementFailedError({ position: 5, step: "insert-new-rows", status: "FAILED", error: "ERROR: disk full" }, 6, "abc-123");
    assert.ok(error instanceof EtlError);
    assert.equal(
      error.message,
      "warehouse: Redshift statement 5 of 6 (insert-new-rows) ended FAILED: ERROR: disk full [statement abc-123]; its transaction was rolled back, nothing was written",
    );
  });
});
