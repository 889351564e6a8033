import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { decidePriorLoad, priorLoadRows } from "../../../task/src/load/prior-load.ts";

const FP = "c".repeat(64);

describe("decidePriorLoad", () => {
  it("lets a load go ahead when the ledger knows neither the input nor the run id", () => {
    assert.deepEqual(decidePriorLoad([], "run-2", FP), { kind: "none" });
  });

  it("names the earliest run that loaded this input", () => {
    const rows = [
      { runId: "run-1", fingerprint: FP, status: "loaded" },
      { runId: "run-0", fingerprint: FP, status: "loaded" },
    ];
    assert.deepEqual(decidePriorLoad(rows, "run-2", FP), { kind: "already-loaded", loadedBy: "run-1" });
  });

  it("treats a rerun under the same run id as already loaded", () => {
    assert.deepEqual(decidePriorLoad([{ runId: "run-2", fingerprint: FP, status: "loaded" }], "run-2", FP), { kind: "already-loaded", loadedBy: "run-2" });
  });

  it("refuses a run id the ledger already holds for another input, as OUTPUT_REJECTED", () => {
    assert.throws(
      () => decidePriorLoad([{ runId: "run-2", fingerprint: "d".repeat(64), status: "loaded" }], "run-2", FP),
      (e: unknown) => e instanceof EtlError && e.code === "OUTPUT_REJECTED",
    );
  });

  it("ignores rows of this input whose load did not commit as loaded", () => {
    assert.deepEqual(decidePriorLoad([{ runId: "run-1", fingerprint: FP, status: "failed" }], "run-2", FP), { kind: "none" });
  });
});

describe("priorLoadRows", () => {
  it("reads run id, fingerprint and status from arrays, trimming CHAR padding away in the decision", () => {
    const rows = priorLoadRows([["run-1", `${FP}`, "loaded"]]);
    assert.deepEqual(rows, [{ runId: "run-1", fingerprint: FP, status: "loaded" }]);
    assert.equal(decidePriorLoad(priorLoadRows([["run-1", `${FP}  `, "loaded"]]), "x", FP).kind, "already-loaded");
  });
});
