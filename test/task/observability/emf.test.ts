import assert from "node:assert/strict";
import fc from "fast-check";
import { DIMENSION, METRIC, METRICS_NAMESPACE, dimensionValue, runMetricDocuments, type EmfDocument } from "../../../task/src/observability/emf.ts";
import { emfProblems } from "./support/emf-spec.ts";
import { failed, skipped, succeeded } from "./support/outcomes.ts";

const byDimensions = (docs: EmfDocument[], dims: string[]) => docs.filter((d) => JSON.stringify(d._aws.CloudWatchMetrics[0]!.Dimensions) === JSON.stringify([dims]));

describe("runMetricDocuments", () => {
  it("writes valid EMF documents in one namespace, every one with the Job dimension", () => {
    for (const outcome of [succeeded(), failed(), skipped()]) {
      for (const doc of runMetricDocuments(outcome, "cti-etl-prod")) {
        assert.deepEqual(emfProblems(doc), []);
        assert.equal(doc._aws.CloudWatchMetrics[0]!.Namespace, METRICS_NAMESPACE);
        assert.ok(doc._aws.CloudWatchMetrics[0]!.Dimensions.every((set) => set[0] === DIMENSION.job));
        assert.equal(doc.Job, "cti-etl-prod");
      }
    }
  });

  it("counts a successful run's rows, load, outcome and duration, at its end time", () => {
    const [run] = byDimensions(runMetricDocuments(succeeded(), "j"), ["Job"]);
    assert.equal(run!._aws.Timestamp, Date.parse("2026-11-26T10:45:24.500Z"));
    assert.deepEqual(
      Object.fromEntries(run!._aws.CloudWatchMetrics[0]!.Metrics.map((m) => [m.Name, [run![m.Name], m.Unit]])),
      {
        RunSucceeded: [1, "Count"],
        RunFailed: [0, "Count"],
        RunSkipped: [0, "Count"],
        RunAnomalous: [0, "Count"],
        RunDuration: [12_500, "Milliseconds"],
        RowsRead: [1000, "Count"],
        RowsClean: [940, "Count"],
        RowsDuplicate: [40, "Count"],
        RowsRejected: [20, "Count"],
        RowsLoaded: [900, "Count"],
        RowsAlreadyPresent: [40, "Count"],
      },
    );
  });

  it("writes one document per rejection reason and one per stage", () => {
    const docs = runMetricDocuments(succeeded(), "j");
    const reasons = byDimensions(docs, ["Job", "Reason"]).map((d) => [d.Reason, d[METRIC.rejected]]);
    assert.deepEqual(reasons, [["Field `Key` is required", 15], ["Record is empty", 5]]);
    const stages = byDimensions(docs, ["Job", "Stage"]).map((d) => [d.Stage, d[METRIC.stageDuration]]);
    assert.deepEqual(stages, [["transform", 8000], ["load", 4000]]);
  });

  it("marks a failed run failed and leaves out the counts it never got", () => {
    const docs = runMetricDocuments(failed(), "j");
    assert.equal(docs.length, 1);
    assert.equal(docs[0]!.RunFailed, 1);
    assert.equal(docs[0]!.RunSucceeded, 0);
    assert.equal(docs[0]!.Status, "failed");
    assert.ok(!(METRIC.rowsRead in docs[0]!));
  });

  it("marks a skipped run skipped", () => {
    const [doc] = runMetricDocuments(skipped(), "j");
    assert.deepEqual([doc!.RunSkipped, doc!.RunSucceeded, doc!.RunFailed], [1, 0, 0]);
  });

  it("marks an anomalous run anomalous", () => {
    const anomaly = { anomalous: true, reasons: [], historyRuns: 5, historyChecked: true, rowsRead: { value: 1, mean: 1, stdDev: 0 }, rejectedRatio: { value: 0, mean: 0, stdDev: 0 } };
    assert.equal(runMetricDocuments(succeeded({ anomaly }), "j")[0]!.RunAnomalous, 1);
  });

  it("exactly one outcome metric is 1 in every run (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(succeeded(), failed(), skipped()), fc.string(), (outcome, job) => {
        const [doc] = runMetricDocuments(outcome, job);
        assert.equal(Number(doc!.RunSucceeded) + Number(doc!.RunFailed) + Number(doc!.RunSkipped), 1);
        assert.deepEqual(emfProblems(doc), []);
      }),
    );
  });
});

describe("dimensionValue", () => {
  it("keeps printable ASCII, replaces the rest, never leaves a value blank or over 1024 characters", () => {
    assert.equal(dimensionValue("Record is empty"), "Record is empty");
    assert.equal(dimensionValue("naïve\n"), "na?ve?");
    assert.equal(dimensionValue("   "), "unknown");
    assert.equal(dimensionValue("x".repeat(2000)).length, 1024);
  });
});
