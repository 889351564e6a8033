import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { AnomalousDataError, assessRun, DEFAULT_ANOMALY_POLICY } from "../../../task/src/observability/anomaly.ts";
import { runFailure } from "../../../task/src/observability/run-outcome.ts";

describe("runFailure", () => {
  it("keeps an EtlError's stable code and message", () => {
    assert.deepEqual(runFailure(new EtlError("BAD_HEADER", "no Key column")), { code: "BAD_HEADER", message: "no Key column" });
  });

  it("keeps the anomaly check's code", () => {
    const verdict = assessRun({ rowsRead: 10, rejected: 10 }, [], { ...DEFAULT_ANOMALY_POLICY, maxRejectedRatio: 0.5 });
    assert.equal(runFailure(new AnomalousDataError(verdict)).code, "ANOMALOUS_DATA");
  });

  it("calls anything else INTERNAL", () => {
    assert.deepEqual(runFailure(new TypeError("x is undefined")), { code: "INTERNAL", message: "x is undefined" });
    assert.deepEqual(runFailure("thrown text"), { code: "INTERNAL", message: "thrown text" });
    assert.equal(runFailure(Object.assign(new Error("e"), { code: 42 })).code, "INTERNAL");
  });
});
