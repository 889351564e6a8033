import assert from "node:assert/strict";
import { Monitoring } from "../../infra/monitoring.ts";
import { loadProgram, promiseOf, recorded, resourcesOfType, sandboxPrefix, settle, type RecordedResource } from "./support/pulumi-mocks.ts";

const types = {
  component: "cti-etl:infra:Monitoring",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  dashboard: "aws:cloudwatch/dashboard:Dashboard",
};

type Body = { widgets: { type: string; properties: Record<string, unknown> }[] };

describe("Monitoring (under the Pulumi mocks)", () => {
  const name = `${sandboxPrefix}monitoring`;
  const alarmArns = ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:b", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:a"];
  let monitoring: Monitoring;
  let dashboard: RecordedResource;

  before(async () => {
    await loadProgram();
    monitoring = new Monitoring(name, {
      job: "cti-etl-dev",
      schedulePeriodSeconds: 86_400,
      maxRejectedRatio: 0.05,
      alarmArns,
      region: "us-east-1",
      dashboardName: "cti-etl-dev",
      logGroupName: "/cti-etl/dev/task",
    });
    await settle();
    [dashboard] = resourcesOfType(types.dashboard, name) as [RecordedResource];
  });

  it("creates no alarm: every alarm belongs to the alerting component", () => {
    assert.deepEqual(resourcesOfType(types.alarm, name), []);
  });

  it("builds the dashboard with the alarms' ARNs and the log group", async () => {
    assert.equal(dashboard.inputs.dashboardName, "cti-etl-dev");
    const body = JSON.parse(String(dashboard.inputs.dashboardBody)) as Body;
    assert.deepEqual(body.widgets.find((w) => w.type === "alarm")!.properties.alarms, alarmArns);
    assert.match(String(body.widgets.find((w) => w.type === "log")!.properties.query), /^SOURCE '\/cti-etl\/dev\/task'/);
    assert.equal(await promiseOf(monitoring.dashboardName, "dashboardName"), "cti-etl-dev");
  });

  it("groups its resources under one component", () => {
    assert.equal(resourcesOfType(types.component, name).length, 1);
  });

  it("is composed by the program, showing every alarm that notifies the alert topic", () => {
    const wired = recorded.filter((r) => r.type === types.component && !r.name.startsWith(sandboxPrefix));
    assert.equal(wired.length, 1);
    const [programDashboard] = resourcesOfType(types.dashboard).filter((r) => !r.name.startsWith(sandboxPrefix));
    const shown = (JSON.parse(String(programDashboard!.inputs.dashboardBody)) as Body).widgets.find((w) => w.type === "alarm")!.properties.alarms as string[];
    const topicArn = String(resourcesOfType("aws:sns/topic:Topic")[0]!.state.arn);
    const notifying = resourcesOfType(types.alarm)
      .filter((a) => !a.name.startsWith(sandboxPrefix) && (a.inputs.alarmActions as string[]).includes(topicArn))
      .map((a) => String(a.state.arn));
    assert.equal(notifying.length, 4);
    assert.deepEqual([...shown].sort(), notifying.sort());
  });
});
