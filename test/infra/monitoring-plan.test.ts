import assert from "node:assert/strict";
import fc from "fast-check";
import {
  MAX_ALARM_WINDOW_SECONDS,
  alarmSpecs,
  dashboardBody,
  dashboardPeriodSeconds,
  layOut,
  schedulePeriodSeconds,
  stalenessWindow,
  type AlarmSpec,
} from "../../infra/monitoring-plan.ts";
import { METRIC, METRICS_NAMESPACE } from "../../task/src/observability/emf.ts";

const daily = { job: "cti-etl-dev", schedulePeriodSeconds: 86_400 };
const byKey = (specs: AlarmSpec[]) => Object.fromEntries(specs.map((s) => [s.key, s]));

describe("alarmSpecs", () => {
  it("plans four alarms named after the job", () => {
    assert.deepEqual(alarmSpecs(daily).map((s) => s.name), [
      "cti-etl-dev-run-failed",
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

  it("alarms on any failed run, and not when no run happened", () => {
    const failed = byKey(alarmSpecs(daily))["run-failed"]!;
    assert.equal(failed.metric?.metricName, METRIC.runFailed);
    assert.deepEqual([failed.comparisonOperator, failed.threshold, failed.evaluationPeriods, failed.treatMissingData], ["GreaterThanOrEqualToThreshold", 1, 1, "notBreaching"]);
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
    assert.deepEqual(alarmSpecs({ job: "j", schedulePeriodSeconds: undefined }).map((s) => s.key), ["run-failed", "rejected-ratio", "anomalous-run"]);
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

describe("schedulePeriodSeconds", () => {
  it("reads rate expressions", () => {
    assert.equal(schedulePeriodSeconds("rate(1 day)"), 86_400);
    assert.equal(schedulePeriodSeconds("rate(15 minutes)"), 900);
    assert.equal(schedulePeriodSeconds("rate(6 hours)"), 21_600);
  });

  it("finds the longest gap of a cron expression", () => {
    assert.equal(schedulePeriodSeconds("cron(0 3 * * ? *)"), 86_400);
    assert.equal(schedulePeriodSeconds("cron(0 3,15 * * ? *)"), 43_200);
    assert.equal(schedulePeriodSeconds("cron(0 9,10 * * ? *)"), 23 * 3600);
    assert.equal(schedulePeriodSeconds("cron(0/15 * * * ? *)"), 900);
    assert.equal(schedulePeriodSeconds("cron(0 6 ? * MON-FRI *)"), 3 * 86_400);
    assert.equal(schedulePeriodSeconds("cron(30 2 ? * 1 *)"), 7 * 86_400);
  });

  it("adds an hour for a daylight-saving change outside UTC", () => {
    assert.equal(schedulePeriodSeconds("cron(0 3 * * ? *)", "Europe/Berlin"), 90_000);
    assert.equal(schedulePeriodSeconds("rate(1 day)", "Europe/Berlin"), 86_400);
  });

  it("gives up on one-off schedules and cron forms it does not evaluate", () => {
    assert.equal(schedulePeriodSeconds("at(2030-01-31T03:00:00)"), undefined);
    assert.equal(schedulePeriodSeconds("cron(0 3 L * ? *)"), undefined);
    assert.equal(schedulePeriodSeconds("cron(0 3 ? * 2#1 *)"), undefined);
    assert.equal(schedulePeriodSeconds("every day"), undefined);
  });
});

describe("dashboardBody", () => {
  const args = { ...daily, region: "us-east-1", alarmArns: ["arn:aws:cloudwatch:us-east-1:1:alarm:a", "arn:aws:cloudwatch:us-east-1:1:alarm:b"] };
  const titled = (body: ReturnType<typeof dashboardBody>) =>
    Object.fromEntries(body.widgets.map((w) => [(w.properties as { title: string }).title, w.properties as Record<string, unknown>]));

  it("shows runs, rows, the rejected ratio, rejects by reason, durations and the alarms", () => {
    assert.deepEqual(Object.keys(titled(dashboardBody(args))), ["Runs", "Rows", "Rejected ratio", "Rejected rows by reason", "Durations (ms)", "Alarms"]);
  });

  it("graphs only the job's metrics, one point per scheduled run", () => {
    for (const [title, properties] of Object.entries(titled(dashboardBody(args)))) {
      if (title === "Alarms") continue;
      assert.equal(properties.region, "us-east-1");
      assert.equal(properties.period, 86_400);
      for (const line of properties.metrics as unknown[][]) {
        const first = line[0];
        if (typeof first === "string") assert.deepEqual(line.slice(0, 4).filter((_, i) => i !== 1), [METRICS_NAMESPACE, "Job", "cti-etl-dev"], title);
        else assert.match(String((first as { expression: string }).expression), /read|SEARCH\('\{CtiEtl,Job,(Reason|Stage)\} MetricName="\w+" Job="cti-etl-dev"'/);
      }
    }
  });

  it("draws the ratio alarm's threshold on the ratio graph", () => {
    const ratio = titled(dashboardBody({ ...args, maxRejectedRatio: 0.1 }))["Rejected ratio"]!;
    assert.deepEqual((ratio.annotations as { horizontal: { value: number }[] }).horizontal.map((a) => a.value), [0.1]);
  });

  it("lists every alarm in the alarm widget", () => {
    assert.deepEqual(titled(dashboardBody(args)).Alarms!.alarms, args.alarmArns);
  });

  it("adds a table of failed runs from the log group when it is given", () => {
    const logs = titled(dashboardBody({ ...args, logGroupName: "/cti-etl/dev/task" }))["Failed runs (latest first)"]!;
    assert.match(String(logs.query), /^SOURCE '\/cti-etl\/dev\/task' \| .*filter msg = "run failed"/);
  });

  it("is valid JSON with widgets inside the 24-column grid", () => {
    const body = JSON.parse(JSON.stringify(dashboardBody({ ...args, logGroupName: "/g" }))) as ReturnType<typeof dashboardBody>;
    for (const w of body.widgets) assert.ok(Number(w.x) + Number(w.width) <= 24);
  });
});

describe("layOut", () => {
  it("never overlaps widgets and keeps them inside 24 columns (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ width: fc.integer({ min: 1, max: 24 }), height: fc.integer({ min: 1, max: 12 }) }), { maxLength: 20 }), (sizes) => {
        const placed = layOut(sizes).map((w) => ({ x: Number(w.x), y: Number(w.y), w: Number(w.width), h: Number(w.height) }));
        for (const [i, a] of placed.entries()) {
          assert.ok(a.x >= 0 && a.x + a.w <= 24);
          for (const b of placed.slice(i + 1)) assert.ok(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y);
        }
      }),
    );
  });
});

describe("dashboardPeriodSeconds", () => {
  it("is the schedule's period, between 5 minutes and a day", () => {
    assert.deepEqual([60, 900, 86_400, 3 * 86_400, undefined].map(dashboardPeriodSeconds), [300, 900, 86_400, 86_400, 86_400]);
  });
});
