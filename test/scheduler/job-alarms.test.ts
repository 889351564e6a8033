import assert from "node:assert/strict";
import fc from "fast-check";
import { MAX_ALARM_WINDOW_SECONDS, alarmSpecs, stalenessMarginSeconds, stalenessWindow, type AlarmSpec } from "../../scheduler/job-alarms.ts";
import { METRIC, METRICS_NAMESPACE } from "../../task/src/observability/emf.ts";

const daily = { job: "cti-etl-dev", schedulePeriodSeconds: 86_400 };
const byKey = (specs: AlarmSpec[]) => Object.fromEntries(specs.map((s) => [s.key, s]));

describe("alarmSpecs", () => {
  it("plans three alarms named after the job", () => {
    assert.deepEqual(alarmSpecs(daily).map((s) => s.name), [
      "cti-etl-dev-no-recent-success",
      "cti-etl-dev-rejected-ratio",
      "cti-etl-dev-anomalous-run",
    ]);
  });

  it("watches the task's metrics: its namespace and its Job dimension", () => {
    for (const spec of alarmSpecs(daily)) {
      const metrics = spec.metric ? [spec.metric] : spec.metricQueries!.flatMap((q) => (q.metric ? [q.metric] : []));
      assert.ok(metrics.length > 0);
      for (const metric of metrics) {
        assert.equal(metric.namespace, METRICS_NAMESPACE);
        assert.deepEqual(metric.dimensions, { Job: "cti-etl-dev" });
      }
    }
  });

  it("has no alarm on a failed run: the failed-run rule reports each one, so one failure pages once", () => {
    const watched = alarmSpecs(daily).flatMap((s) => (s.metric ? [s.metric] : s.metricQueries!.flatMap((q) => (q.metric ? [q.metric] : []))));
    assert.ok(watched.length > 0);
    assert.ok(watched.every((metric) => metric.metricName !== METRIC.runFailed));
  });

  it("alarms when no run succeeded within the schedule's period plus the margin, missing data breaching", () => {
    const stale = byKey(alarmSpecs(daily))["no-recent-success"]!;
    assert.equal(stale.metric?.metricName, METRIC.runSucceeded);
    assert.equal(stale.metric?.stat, "Sum");
    assert.deepEqual([stale.comparisonOperator, stale.threshold, stale.treatMissingData], ["LessThanThreshold", 1, "breaching"]);
    // 24 h + 1 h margin: 25 hourly periods, all of which must lack a success.
    assert.deepEqual([stale.metric?.period, stale.evaluationPeriods, stale.datapointsToAlarm], [3600, 25, 25]);
    assert.equal(stale.notifyOnRecovery, true);
    assert.equal(stale.actionsEnabled, true);
  });

  it("widens the window by the configured margin", () => {
    const stale = byKey(alarmSpecs({ ...daily, stalenessMarginSeconds: 3 * 3600 }))["no-recent-success"]!;
    assert.equal(stale.evaluationPeriods, 27);
  });

  it("keeps the no-recent-success alarm quiet while the schedule is paused", () => {
    assert.equal(byKey(alarmSpecs({ ...daily, schedulePaused: true }))["no-recent-success"]!.actionsEnabled, false);
  });

  it("plans no no-recent-success alarm without a schedule period (a one-off schedule)", () => {
    assert.deepEqual(alarmSpecs({ job: "j", schedulePeriodSeconds: undefined }).map((s) => s.key), ["rejected-ratio", "anomalous-run"]);
  });

  it("computes the rejected ratio with metric math against the threshold", () => {
    const ratio = byKey(alarmSpecs({ ...daily, maxRejectedRatio: 0.02 }))["rejected-ratio"]!;
    assert.equal(ratio.metric, undefined);
    assert.deepEqual([ratio.comparisonOperator, ratio.threshold, ratio.treatMissingData], ["GreaterThanThreshold", 0.02, "notBreaching"]);
    const [expression, rejected, read] = ratio.metricQueries!;
    assert.deepEqual([expression!.id, expression!.expression, expression!.returnData], ["ratio", "IF(read > 0, rejected / read, 0)", true]);
    assert.deepEqual([rejected!.id, rejected!.metric?.metricName, rejected!.returnData], ["rejected", METRIC.rejected, false]);
    assert.deepEqual([read!.id, read!.metric?.metricName, read!.returnData], ["read", METRIC.rowsRead, false]);
  });

  it("alarms on an anomalous run", () => {
    const anomalous = byKey(alarmSpecs(daily))["anomalous-run"]!;
    assert.equal(anomalous.metric?.metricName, METRIC.runAnomalous);
    assert.equal(anomalous.threshold, 1);
  });

  it("refuses a ratio threshold outside 0–1", () => {
    assert.throws(() => alarmSpecs({ ...daily, maxRejectedRatio: 5 }), /between 0 and 1/);
  });
});

describe("stalenessWindow", () => {
  it("covers the window with hourly periods from an hour up, minutes below", () => {
    assert.deepEqual(stalenessWindow(90_000), { period: 3600, evaluationPeriods: 25 });
    assert.deepEqual(stalenessWindow(1800), { period: 60, evaluationPeriods: 30 });
  });

  it("refuses a window CloudWatch cannot look back over", () => {
    assert.throws(() => stalenessWindow(8 * 86_400), /longer than CloudWatch lets an alarm look back/);
    assert.throws(() => stalenessWindow(30), /at least 60 s/);
  });

  it("covers the whole window, by less than one period more, within CloudWatch's limits (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 60, max: MAX_ALARM_WINDOW_SECONDS }), (window) => {
        const { period, evaluationPeriods } = stalenessWindow(window);
        const covered = period * evaluationPeriods;
        assert.ok(covered >= window && covered < window + period);
        assert.ok(period % 60 === 0);
        assert.ok(covered <= (period < 3600 ? 86_400 : MAX_ALARM_WINDOW_SECONDS));
      }),
    );
  });
});

describe("stalenessMarginSeconds", () => {
  it("allows an hour for the run, plus the flexible window and the retries' event age", () => {
    assert.equal(stalenessMarginSeconds({ flexibleWindowMinutes: 0, maxEventAgeSeconds: 0 }), 3600);
    assert.equal(stalenessMarginSeconds({ flexibleWindowMinutes: 15, maxEventAgeSeconds: 3600 }), 3600 + 900 + 3600);
  });
});
