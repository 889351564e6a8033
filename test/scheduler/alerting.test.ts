import assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import { parsePolicyDocument } from "../../infra/iam/policy-document.ts";
import { Alerting } from "../../scheduler/alerting.ts";
import { METRIC, METRICS_NAMESPACE } from "../../task/src/observability/emf.ts";
import { samples } from "./support/ecs-task-events.ts";
import { matchesEventPattern } from "./support/event-pattern-matcher.ts";
import { fakeAccountId, loadProgram, oneResource, project, promiseOf, resourcesOfType, settle, stack, type RecordedResource } from "../infra/support/pulumi-mocks.ts";

const types = {
  key: "aws:kms/key:Key",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  rule: "aws:cloudwatch/eventRule:EventRule",
  target: "aws:cloudwatch/eventTarget:EventTarget",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  queue: "aws:sqs/queue:Queue",
} as const;
const prefix = "cti-etl-scheduler-alerts";

describe("Alerting (in the program)", () => {
  let outputs: Record<string, unknown>;
  before(async () => ({ outputs } = await loadProgram()));
  const one = (type: string) => oneResource(type, prefix);

  describe("topic", () => {
    it("is encrypted with its own KMS key, which rotates", () => {
      const key = one(types.key);
      assert.equal(one(types.topic).inputs.kmsMasterKeyId, key.state.arn);
      assert.equal(key.inputs.enableKeyRotation, true);
    });

    it("lets EventBridge and CloudWatch use the key to publish", () => {
      const policy = parsePolicyDocument(one(types.key).inputs.policy);
      const services = policy.filter((s) => s.principal !== "*" && s.principal?.Service).flatMap((s) => (s.principal as Record<string, string[]>).Service!);
      assert.deepEqual(services.sort(), ["cloudwatch.amazonaws.com", "events.amazonaws.com"]);
    });

    it("accepts messages only from this stack's failure rule, dead-letter alarm and job alarms", () => {
      const policy = one(types.topicPolicy);
      assert.equal(policy.inputs.arn, one(types.topic).state.arn);
      const alarmArns = resourcesOfType(types.alarm)
        .filter((a) => (a.inputs.alarmActions as string[]).includes(String(one(types.topic).state.arn)))
        .map((a) => String(a.state.arn));
      assert.equal(alarmArns.length, 4);
      assert.deepEqual(
        parsePolicyDocument(policy.inputs.policy).map((s) => [s.actions, s.resources, s.condition?.ArnEquals?.["aws:SourceArn"]]),
        [
          [["sns:Publish"], [one(types.topic).state.arn], [one(types.rule).state.arn]],
          [["sns:Publish"], [one(types.topic).state.arn], alarmArns.sort()],
        ],
      );
    });

    it("is exported for more subscriptions", () => {
      assert.equal(outputs.alertTopicArn, one(types.topic).state.arn);
    });

    it("has no e-mail subscription while alertEmail is unset", () => {
      assert.deepEqual(resourcesOfType(types.subscription, prefix), []);
    });
  });

  describe("failed-run rule", () => {
    const fires = (event: unknown) => matchesEventPattern(String(one(types.rule).inputs.eventPattern), event);
    // The samples' cluster and family are the dev stack's (cti-etl-dev), as in the program.

    it("fires on this stack's failed runs and runs that never started", () => {
      assert.equal(fires(samples.failure), true);
      assert.equal(fires(samples.failedToStart), true);
    });

    it("stays quiet on success, on other clusters and on other families", () => {
      for (const name of ["success", "running", "anotherClusterFailure", "anotherFamilyFailure"] as const) assert.equal(fires(samples[name]), false, name);
    });

    it("is scoped to the program's cluster and task family", () => {
      const detail = (JSON.parse(String(one(types.rule).inputs.eventPattern)) as { detail: Record<string, unknown> }).detail;
      assert.deepEqual(detail.clusterArn, [outputs.clusterArn]);
      assert.deepEqual(detail.taskDefinitionArn, [{ prefix: `arn:aws:ecs:us-east-1:${fakeAccountId}:task-definition/${String(outputs.taskDefinitionFamily)}:` }]);
    });

    it("publishes a readable message to the topic", () => {
      const target = one(types.target);
      assert.equal(target.inputs.rule, one(types.rule).state.name);
      assert.equal(target.inputs.arn, one(types.topic).state.arn);
      const transformer = target.inputs.inputTransformer as { inputPaths: Record<string, string>; inputTemplate: string };
      assert.equal(transformer.inputPaths.exitCode, "$.detail.containers[0].exitCode");
      assert.match(JSON.parse(transformer.inputTemplate) as string, new RegExp(`aws logs tail ${String(outputs.logGroupName)}`));
    });
  });

  describe("job alarms", () => {
    const jobAlarms = () =>
      Object.fromEntries(
        resourcesOfType(types.alarm, prefix)
          .filter((r) => r.name !== `${prefix}-dead-letter-alarm`)
          .map((r) => [String(r.inputs.name).replace("cti-etl-dev-", ""), r]),
      ) as Record<string, RecordedResource>;

    it("creates the job's three alarms, each notifying the topic", () => {
      const alarms = jobAlarms();
      assert.deepEqual(Object.keys(alarms).sort(), ["anomalous-run", "no-recent-success", "rejected-ratio"]);
      for (const alarm of Object.values(alarms)) {
        assert.deepEqual(alarm.inputs.alarmActions, [one(types.topic).state.arn]);
        assert.equal(alarm.inputs.actionsEnabled, true);
      }
    });

    it("alarms when no run succeeded for the schedule's period plus the margin, timed from the program's schedule, and says when runs resume", () => {
      const { inputs } = jobAlarms()["no-recent-success"]!;
      // Pulumi.dev.yaml: cron(0 3 * * ? *), retries for 3600 s, no flexible window: 24 h + 1 h for the run + 1 h = 26 hourly periods.
      assert.deepEqual(
        [inputs.namespace, inputs.metricName, inputs.dimensions, inputs.period, inputs.evaluationPeriods, inputs.datapointsToAlarm, inputs.comparisonOperator, inputs.threshold, inputs.treatMissingData],
        [METRICS_NAMESPACE, "RunSucceeded", { Job: outputs.taskDefinitionFamily }, 3600, 26, 26, "LessThanThreshold", 1, "breaching"],
      );
      assert.deepEqual(inputs.okActions, [one(types.topic).state.arn]);
    });

    it("alarms on the rejected ratio through metric math, and on an anomalous run", () => {
      const ratio = jobAlarms()["rejected-ratio"]!.inputs;
      assert.equal(ratio.threshold, 0.05);
      const queries = ratio.metricQueries as { id: string; expression?: string; metric?: { metricName: string } }[];
      assert.deepEqual(queries.map((q) => q.expression ?? q.metric?.metricName), ["IF(read > 0, rejected / read, 0)", "RowsRejected", "RowsRead"]);
      assert.equal(jobAlarms()["anomalous-run"]!.inputs.metricName, "RunAnomalous");
    });

    it("pages once for a failed run: the failed-run rule reports it, and no alarm in the program watches RunFailed", () => {
      const watched = resourcesOfType(types.alarm).flatMap((a) => [
        a.inputs.metricName,
        ...((a.inputs.metricQueries ?? []) as { metric?: { metricName: string } }[]).map((q) => q.metric?.metricName),
      ]);
      assert.ok(watched.includes(METRIC.runSucceeded));
      assert.ok(!watched.includes(METRIC.runFailed));
      assert.equal(resourcesOfType(types.rule).filter((r) => String(r.inputs.eventPattern ?? "").includes("ECS Task State Change")).length, 1);
    });
  });

  describe("dead-letter alarm", () => {
    it("watches the schedule's dead-letter queue and publishes to the topic", () => {
      const alarm = oneResource(types.alarm, `${prefix}-dead-letter-alarm`);
      const queue = oneResource(types.queue, "cti-etl-scheduler");
      assert.deepEqual(alarm.inputs.dimensions, { QueueName: queue.state.name });
      assert.equal(alarm.inputs.metricName, "ApproximateNumberOfMessagesVisible");
      assert.equal(alarm.inputs.threshold, 0);
      assert.equal(alarm.inputs.comparisonOperator, "GreaterThanThreshold");
      assert.deepEqual(alarm.inputs.alarmActions, [one(types.topic).state.arn]);
    });
  });
});

describe("Alerting (with an alert e-mail, moved from the Monitoring component)", () => {
  const transformed: pulumi.ResourceTransformationArgs[] = [];
  let formerUrns: string[] = [];
  before(async () => {
    await loadProgram();
    const alerts = new Alerting("sandbox-alerts", {
      namePrefix: "sandbox",
      stackLabel: "cti-etl/sandbox",
      region: "us-east-1",
      accountId: fakeAccountId,
      partition: "aws",
      clusterArn: `arn:aws:ecs:us-east-1:${fakeAccountId}:cluster/sandbox`,
      taskDefinitionArn: `arn:aws:ecs:us-east-1:${fakeAccountId}:task-definition/sandbox:1`,
      logGroupName: "/cti-etl/sandbox/task",
      deadLetterQueueName: "sandbox-schedule-dlq",
      jobAlarms: { job: "sandbox", schedulePeriodSeconds: undefined },
      jobAlarmsFormerParent: "sandbox-monitoring",
      alertEmail: "oncall@example.com",
    }, {
      // Sees each child's options as the engine will receive them.
      transformations: [(args) => { transformed.push(args); return undefined; }],
    });
    formerUrns = await Promise.all((alerts as unknown as { __aliases: pulumi.Input<string>[] }).__aliases.map((alias) => promiseOf(alias)));
    await promiseOf(alerts.topicArn);
    await settle();
  });

  it("answers to its former type, FailureAlerts, so the topic, key and rule under it stay in place", () => {
    // Pulumi's SDK keeps a component's aliases as URNs; its children inherit them by name.
    assert.deepEqual(formerUrns, [`urn:pulumi:${stack}::${project}::cti-etl:scheduler:FailureAlerts::sandbox-alerts`]);
  });

  it("plans no no-recent-success alarm for a one-off schedule, and lets exactly its alarms publish", async () => {
    const names = resourcesOfType(types.alarm, "sandbox-alerts").map((a) => String(a.inputs.name)).sort();
    assert.deepEqual(names, ["sandbox-anomalous-run", "sandbox-rejected-ratio", "sandbox-run-never-started"]);
    const policy = parsePolicyDocument(oneResource(types.topicPolicy, "sandbox-alerts").inputs.policy);
    assert.deepEqual(policy[1]!.condition?.ArnEquals?.["aws:SourceArn"], resourcesOfType(types.alarm, "sandbox-alerts").map((a) => String(a.state.arn)).sort());
  });

  it("aliases each job alarm to the one the Monitoring component created, so an update moves it instead of replacing it", async () => {
    const alarm = transformed.find((t) => t.name === "sandbox-alerts-rejected-ratio");
    assert.ok(alarm, transformed.map((t) => t.name).join(", "));
    const [alias] = (alarm.opts.aliases ?? []) as { name: string; parent: pulumi.Input<string> }[];
    assert.equal(alias?.name, "sandbox-monitoring-rejected-ratio");
    assert.equal(await promiseOf(alias.parent), `urn:pulumi:${stack}::${project}::cti-etl:infra:Monitoring::sandbox-monitoring`);
    const deadLetter = transformed.find((t) => t.name === "sandbox-alerts-dead-letter-alarm");
    assert.deepEqual(deadLetter?.opts.aliases ?? [], []);
  });

  it("subscribes the address to the topic by e-mail", () => {
    const subscription = oneResource(types.subscription, "sandbox-alerts");
    assert.deepEqual(
      [subscription.inputs.protocol, subscription.inputs.endpoint, subscription.inputs.topic],
      ["email", "oncall@example.com", oneResource(types.topic, "sandbox-alerts").state.arn],
    );
  });
});
