import assert from "node:assert/strict";
import { parsePolicyDocument } from "../../infra/iam/policy-document.ts";
import { FailureAlerts } from "../../scheduler/failure-alerts.ts";
import { samples } from "./support/ecs-task-events.ts";
import { matchesEventPattern } from "./support/event-pattern-matcher.ts";
import { fakeAccountId, loadProgram, oneResource, promiseOf, resourcesOfType, settle } from "../infra/support/pulumi-mocks.ts";

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

describe("FailureAlerts (in the program)", () => {
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

    it("accepts messages only from this stack's failure rule, dead-letter alarm and monitoring alarms", () => {
      const policy = one(types.topicPolicy);
      assert.equal(policy.inputs.arn, one(types.topic).state.arn);
      const alarmArns = resourcesOfType(types.alarm)
        .filter((a) => (a.inputs.alarmActions as string[]).includes(String(one(types.topic).state.arn)))
        .map((a) => String(a.state.arn));
      assert.equal(alarmArns.length, 5);
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

  describe("dead-letter alarm", () => {
    it("watches the schedule's dead-letter queue and publishes to the topic", () => {
      const alarm = one(types.alarm);
      const queue = oneResource(types.queue, "cti-etl-scheduler");
      assert.deepEqual(alarm.inputs.dimensions, { QueueName: queue.state.name });
      assert.equal(alarm.inputs.metricName, "ApproximateNumberOfMessagesVisible");
      assert.equal(alarm.inputs.threshold, 0);
      assert.equal(alarm.inputs.comparisonOperator, "GreaterThanThreshold");
      assert.deepEqual(alarm.inputs.alarmActions, [one(types.topic).state.arn]);
    });
  });
});

describe("FailureAlerts (with an alert e-mail)", () => {
  before(async () => {
    await loadProgram();
    const alerts = new FailureAlerts("sandbox-alerts", {
      namePrefix: "sandbox",
      stackLabel: "cti-etl/sandbox",
      region: "us-east-1",
      accountId: fakeAccountId,
      partition: "aws",
      clusterArn: `arn:aws:ecs:us-east-1:${fakeAccountId}:cluster/sandbox`,
      taskDefinitionArn: `arn:aws:ecs:us-east-1:${fakeAccountId}:task-definition/sandbox:1`,
      logGroupName: "/cti-etl/sandbox/task",
      deadLetterQueueName: "sandbox-schedule-dlq",
      alertEmail: "oncall@example.com",
    });
    await promiseOf(alerts.topicArn);
    await settle();
  });

  it("subscribes the address to the topic by e-mail", () => {
    const subscription = oneResource(types.subscription, "sandbox-alerts");
    assert.deepEqual(
      [subscription.inputs.protocol, subscription.inputs.endpoint, subscription.inputs.topic],
      ["email", "oncall@example.com", oneResource(types.topic, "sandbox-alerts").state.arn],
    );
  });
});
