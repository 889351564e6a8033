import assert from "node:assert/strict";
import fc from "fast-check";
import {
  AnomalousDataError,
  DEFAULT_ANOMALY_POLICY,
  assessRun,
  meanAndStdDev,
  rejectedRatio,
  type AnomalyPolicy,
  type RunVolume,
} from "../../../task/src/observability/anomaly.ts";

const policy: AnomalyPolicy = { ...DEFAULT_ANOMALY_POLICY };
/** Twenty ordinary days: about 10,000 rows, about 1% rejected. */
const history: RunVolume[] = Array.from({ length: 20 }, (_, i) => ({ rowsRead: 10_000 + ((i * 37) % 200) - 100, rejected: 90 + (i % 5) * 5 }));

describe("assessRun", () => {
  it("passes a run like its history", () => {
    const verdict = assessRun({ rowsRead: 10_050, rejected: 100 }, history, policy);
    assert.equal(verdict.anomalous, false);
    assert.deepEqual(verdict.reasons, []);
    assert.equal(verdict.historyRuns, 20);
    assert.equal(verdict.historyChecked, true);
  });

  it("flags a run that read far fewer rows than usual", () => {
    const verdict = assessRun({ rowsRead: 120, rejected: 1 }, history, policy);
    assert.equal(verdict.anomalous, true);
    assert.deepEqual(verdict.reasons.map((r) => r.code), ["ROWS_READ_OUT_OF_RANGE"]);
    assert.match(verdict.reasons[0]!.message, /rows read 120 is [\d.,]+ standard deviations below the mean [\d,]+ of the last 20 runs \(limit 3\)/);
    assert.ok(verdict.rowsRead.zScore! < -3);
  });

  it("flags a run that read far more rows than usual", () => {
    assert.deepEqual(assessRun({ rowsRead: 50_000, rejected: 500 }, history, policy).reasons.map((r) => r.code), ["ROWS_READ_OUT_OF_RANGE"]);
  });

  it("flags a jump in the rejected ratio, but not a drop", () => {
    assert.deepEqual(assessRun({ rowsRead: 10_000, rejected: 2_000 }, history, policy).reasons.map((r) => r.code), ["REJECTED_RATIO_OUT_OF_RANGE"]);
    assert.equal(assessRun({ rowsRead: 10_000, rejected: 0 }, history, policy).anomalous, false);
  });

  it("flags a rejected ratio above the configured limit even without history", () => {
    const verdict = assessRun({ rowsRead: 100, rejected: 6 }, [], { ...policy, maxRejectedRatio: 0.05 });
    assert.equal(verdict.historyChecked, false);
    assert.deepEqual(verdict.reasons.map((r) => r.code), ["REJECTED_RATIO_ABOVE_LIMIT"]);
    assert.match(verdict.reasons[0]!.message, /rejected ratio 6% \(6 of 100 rows\) is above the limit 5%/);
  });

  it("does not judge against history shorter than the minimum", () => {
    const verdict = assessRun({ rowsRead: 1, rejected: 0 }, history.slice(0, 4), policy);
    assert.equal(verdict.anomalous, false);
    assert.equal(verdict.historyChecked, false);
    assert.equal(verdict.rowsRead.zScore, undefined);
  });

  it("uses only the configured number of most recent runs", () => {
    const recent = [...Array.from({ length: 5 }, () => ({ rowsRead: 100, rejected: 0 })), ...history];
    const verdict = assessRun({ rowsRead: 100, rejected: 0 }, recent, { ...policy, historyRuns: 5 });
    assert.equal(verdict.historyRuns, 5);
    assert.equal(verdict.anomalous, false);
  });

  it("turns the history rules off with historyRuns 0", () => {
    const verdict = assessRun({ rowsRead: 1, rejected: 0 }, history, { ...policy, historyRuns: 0 });
    assert.equal(verdict.anomalous, false);
    assert.equal(verdict.historyRuns, 0);
  });

  it("tolerates a small change after a perfectly steady history", () => {
    const steady = Array.from({ length: 10 }, () => ({ rowsRead: 1000, rejected: 0 }));
    assert.equal(assessRun({ rowsRead: 1010, rejected: 0 }, steady, policy).anomalous, false);
    assert.equal(assessRun({ rowsRead: 1500, rejected: 0 }, steady, policy).anomalous, true);
    assert.equal(assessRun({ rowsRead: 1000, rejected: 20 }, steady, policy).anomalous, false);
    assert.equal(assessRun({ rowsRead: 1000, rejected: 100 }, steady, policy).anomalous, true);
  });

  it("never flags a run identical to every run of its history (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 5, max: 50 }), (rowsRead, rejectedRaw, n) => {
        const run = { rowsRead, rejected: Math.min(rejectedRaw, rowsRead) };
        assert.equal(assessRun(run, Array.from({ length: n }, () => run), policy).anomalous, false);
      }),
    );
  });

  it("flags a run exactly when some reason is given (property)", () => {
    const volume = fc.integer({ min: 0, max: 1e6 }).chain((rowsRead) => fc.record({ rowsRead: fc.constant(rowsRead), rejected: fc.integer({ min: 0, max: rowsRead }) }));
    fc.assert(
      fc.property(volume, fc.array(volume, { maxLength: 30 }), (run, past) => {
        const verdict = assessRun(run, past, { ...policy, maxRejectedRatio: 0.5 });
        assert.equal(verdict.anomalous, verdict.reasons.length > 0);
      }),
    );
  });
});

describe("meanAndStdDev", () => {
  it("gives the mean and the sample standard deviation", () => {
    const { mean, stdDev } = meanAndStdDev([2, 4, 4, 4, 5, 5, 7, 9]);
    assert.equal(mean, 5);
    assert.ok(Math.abs(stdDev - 2.138089935) < 1e-6);
  });

  it("gives 0 spread for fewer than two values", () => {
    assert.deepEqual(meanAndStdDev([]), { mean: 0, stdDev: 0 });
    assert.deepEqual(meanAndStdDev([3]), { mean: 3, stdDev: 0 });
  });
});

describe("rejectedRatio", () => {
  it("is rejected over rows read, and 0 for a run that read nothing", () => {
    assert.equal(rejectedRatio({ rowsRead: 200, rejected: 50 }), 0.25);
    assert.equal(rejectedRatio({ rowsRead: 0, rejected: 0 }), 0);
  });
});

describe("AnomalousDataError", () => {
  it("carries the stable code ANOMALOUS_DATA and every reason in its message", () => {
    const verdict = assessRun({ rowsRead: 1, rejected: 1 }, history, { ...policy, maxRejectedRatio: 0.1 });
    const error = new AnomalousDataError(verdict);
    assert.equal(error.code, "ANOMALOUS_DATA");
    assert.match(error.message, /rows read 1 .*; rejected ratio 100%/);
    assert.equal(error.verdict, verdict);
  });
});
