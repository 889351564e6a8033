/**
 * The policies `scheduler/iam.ts` builds, as the program renders them, evaluated by an IAM
 * simulator: who may publish to the alert topic (topic policy and key policy together), what
 * the schedule's role may do, and who may assume it.
 */
import assert from "node:assert/strict";
import { accountOf, type AccessRequest, type Decision, simulateAccess } from "../infra/support/iam-simulator.ts";
import { loadProgram, type RecordedResource } from "../infra/support/pulumi-mocks.ts";
import { type RenderedPolicies, renderedPolicies } from "../infra/support/rendered-policies.ts";

const otherAccount = "210987654321";

/** `arn` with its account field replaced. */
const inAccount = (arn: string, account: string) => arn.split(":").map((part, i) => (i === 4 ? account : part)).join(":");

async function expectDecision(policies: RenderedPolicies, request: AccessRequest, expected: Decision | "Denied"): Promise<void> {
  const { decision, decidedBy } = await simulateAccess(policies, request);
  const ok = expected === "Denied" ? decision !== "Allowed" : decision === expected;
  assert.ok(ok, `${request.principal} ${request.action} ${request.resource} ${JSON.stringify(request.context ?? {})}: ${decision} (by ${decidedBy.join(", ") || "no statement"}), expected ${expected}`);
}

describe("scheduler/iam.ts, simulated", () => {
  let resources: readonly RecordedResource[];
  let policies: RenderedPolicies;
  before(async () => {
    ({ resources } = await loadProgram());
    policies = renderedPolicies(resources);
  });
  const ofType = (type: string) => resources.filter((r) => r.type === type);

  describe("publishing to the alert topic (topic policy and KMS key policy)", () => {
    let topic: RecordedResource;
    let keyArn: string;
    /** Every alarm of the program that notifies the topic, on alarm or on recovery. */
    let alarms: RecordedResource[];
    /** Every EventBridge rule with a target on the topic. */
    let ruleArns: string[];

    before(() => {
      const topics = ofType("aws:sns/topic:Topic");
      assert.equal(topics.length, 1, "one alert topic");
      topic = topics[0]!;
      const key = ofType("aws:kms/key:Key").find((k) => [k.state.arn, k.state.id, k.state.keyId].includes(topic.inputs.kmsMasterKeyId));
      assert.ok(key, "the topic is encrypted with a key of the program");
      keyArn = String(key.state.arn);
      const notifies = (alarm: RecordedResource) =>
        [...((alarm.inputs.alarmActions ?? []) as string[]), ...((alarm.inputs.okActions ?? []) as string[])].includes(String(topic.state.arn));
      alarms = ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter(notifies);
      const targetRules = ofType("aws:cloudwatch/eventTarget:EventTarget")
        .filter((t) => t.inputs.arn === topic.state.arn)
        .map((t) => t.inputs.rule);
      ruleArns = ofType("aws:cloudwatch/eventRule:EventRule")
        .filter((r) => targetRules.includes(r.state.name) || targetRules.includes(r.state.id))
        .map((r) => String(r.state.arn));
    });

    /** What the service needs to publish to the encrypted topic: the topic's and the key's consent. */
    async function publishes(service: string, sourceArn: string, sourceAccount: string): Promise<Record<string, Decision>> {
      const topicArn = String(topic.state.arn);
      const region = topicArn.split(":")[3]!;
      const source = { "aws:SourceArn": sourceArn, "aws:SourceAccount": sourceAccount };
      // SNS asks KMS for a data key, and to decrypt it, on the publishing service's behalf.
      // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
      const viaSns = { "kms:ViaService": `sns.${region}.amazonaws.com` };
      const decisions: Record<string, Decision> = {};
      for (const [action, resource, context] of [
        ["sns:Publish", topicArn, source],
        ["kms:GenerateDataKey", keyArn, viaSns],
        ["kms:Decrypt", keyArn, viaSns],
      ] as const) {
        decisions[action] = (await simulateAccess(policies, { principal: service, action, resource, context })).decision;
      }
      return decisions;
    }
    const allAllowed = { "sns:Publish": "Allowed", "kms:GenerateDataKey": "Allowed", "kms:Decrypt": "Allowed" };

    it("finds the alarms of monitoring and the dead-letter alarm, and the failed-run rule, notifying the topic", () => {
      // Five alarms: run-failed, no-recent-success, rejected-ratio, anomalous-run, run-never-started.
      assert.equal(alarms.length, 5, alarms.map((a) => a.name).join(", "));
      assert.equal(ruleArns.length, 1);
    });

    it("lets every alarm that notifies the topic publish to it and use its key", async () => {
      const decisions: Record<string, Record<string, Decision>> = {};
      for (const alarm of alarms) {
        const arn = String(alarm.state.arn);
        decisions[String(alarm.inputs.name)] = await publishes("cloudwatch.amazonaws.com", arn, accountOf(arn));
      }
      assert.deepEqual(decisions, Object.fromEntries(alarms.map((a) => [String(a.inputs.name), allAllowed])));
    });

    it("lets the failed-run rule publish to it and use its key", async () => {
      for (const ruleArn of ruleArns) assert.deepEqual(await publishes("events.amazonaws.com", ruleArn, accountOf(ruleArn)), allAllowed);
    });

    it("refuses an alarm of the same name in another account", async () => {
      for (const alarm of alarms) {
        const foreign = inAccount(String(alarm.state.arn), otherAccount);
        assert.notEqual((await publishes("cloudwatch.amazonaws.com", foreign, otherAccount))["sns:Publish"], "Allowed", alarm.name);
      }
    });

    it("refuses an alarm of this account the program does not declare, and a rule it does not declare", async () => {
      const [alarm] = alarms;
      const stranger = `${String(alarm!.state.arn)}-not-ours`;
      assert.notEqual((await publishes("cloudwatch.amazonaws.com", stranger, accountOf(stranger)))["sns:Publish"], "Allowed");
      const strangerRule = `${ruleArns[0]!}-not-ours`;
      assert.notEqual((await publishes("events.amazonaws.com", strangerRule, accountOf(strangerRule)))["sns:Publish"], "Allowed");
    });

    it("refuses a service publishing with another service's source (a rule's ARN from CloudWatch, an alarm's from EventBridge)", async () => {
      const alarmArn = String(alarms[0]!.state.arn);
      await expectDecision(policies, { principal: "events.amazonaws.com", action: "sns:Publish", resource: String(topic.state.arn), context: { "aws:SourceArn": alarmArn, "aws:SourceAccount": accountOf(alarmArn) } }, "Denied");
      await expectDecision(policies, { principal: "cloudwatch.amazonaws.com", action: "sns:Publish", resource: String(topic.state.arn), context: { "aws:SourceArn": ruleArns[0]!, "aws:SourceAccount": accountOf(ruleArns[0]!) } }, "Denied");
    });

    it("lets the alarms and the rule do nothing else with the key or the topic", async () => {
      const alarmArn = String(alarms[0]!.state.arn);
      const source = { "aws:SourceArn": alarmArn, "aws:SourceAccount": accountOf(alarmArn) };
      for (const action of ["sns:SetTopicAttributes", "sns:Subscribe", "sns:DeleteTopic"]) {
        await expectDecision(policies, { principal: "cloudwatch.amazonaws.com", action, resource: String(topic.state.arn), context: source }, "Denied");
      }
      for (const action of ["kms:Encrypt", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:CreateGrant"]) {
        await expectDecision(policies, { principal: "cloudwatch.amazonaws.com", action, resource: keyArn }, "Denied");
        await expectDecision(policies, { principal: "events.amazonaws.com", action, resource: keyArn }, "Denied");
      }
    });
  });
});
