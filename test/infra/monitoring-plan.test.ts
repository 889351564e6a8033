import assert from "node:assert/strict";
import fc from "fast-check";
import { dashboardBody, dashboardPeriodSeconds, layOut } from "../../infra/monitoring-plan.ts";
import { METRICS_NAMESPACE } from "../../task/src/observability/emf.ts";

const daily = { job: "cti-etl-dev", schedulePeriodSeconds: 86_400 };

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
