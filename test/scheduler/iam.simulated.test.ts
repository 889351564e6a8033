/**
 * The policies `scheduler/iam.ts` builds, as the program renders them, evaluated by an IAM
 * simulator: who may publish to the alert topic (topic policy and key policy together), what
 * the schedule's role may do, and who may assume it.
 */
import assert from "node:assert/strict";
import { accountOf, type AccessRequest, assertAccess, type Decision, simulateAccess } from "../infra/support/iam-simulator.ts";
import { loadProgram, type RecordedResource } from "../infra/support/pulumi-mocks.ts";
import { type RenderedPolicies, renderedPolicies } from "../infra/support/rendered-policies.ts";

const otherAccount = "210987654321";

/** `arn` with its account field replaced. */
const inAccount = (arn: string, account: string) => arn.split(":").map((part, i) => (i === 4 ? account : part)).join(":");

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

    it("finds the job's alarms and the dead-letter alarm, and the failed-run rule, notifying the topic", () => {
      // Four alarms: no-recent-success, rejected-ratio, anomalous-run, run-never-started.
      assert.equal(alarms.length, 4, alarms.map((a) => a.name).join(", "));
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
      await assertAccess(policies, { principal: "events.amazonaws.com", action: "sns:Publish", resource: String(topic.state.arn), context: { "aws:SourceArn": alarmArn, "aws:SourceAccount": accountOf(alarmArn) } }, "Denied");
      await assertAccess(policies, { principal: "cloudwatch.amazonaws.com", action: "sns:Publish", resource: String(topic.state.arn), context: { "aws:SourceArn": ruleArns[0]!, "aws:SourceAccount": accountOf(ruleArns[0]!) } }, "Denied");
    });

    it("lets the alarms and the rule do nothing else with the key or the topic", async () => {
      const alarmArn = String(alarms[0]!.state.arn);
      const source = { "aws:SourceArn": alarmArn, "aws:SourceAccount": accountOf(alarmArn) };
      for (const action of ["sns:SetTopicAttributes", "sns:Subscribe", "sns:DeleteTopic"]) {
        await assertAccess(policies, { principal: "cloudwatch.amazonaws.com", action, resource: String(topic.state.arn), context: source }, "Denied");
      }
      for (const action of ["kms:Encrypt", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:CreateGrant"]) {
        await assertAccess(policies, { principal: "cloudwatch.amazonaws.com", action, resource: keyArn }, "Denied");
        await assertAccess(policies, { principal: "events.amazonaws.com", action, resource: keyArn }, "Denied");
      }
    });
  });

  describe("the schedule's role", () => {
    type Target = { arn: string; roleArn: string; ecsParameters: { taskDefinitionArn: string }; deadLetterConfig: { arn: string } };
    let target: Target;
    let roleArn: string;
    let taskDefinitionArn: string;
    let taskRoleArn: string;
    let executionRoleArn: string;
    let scheduleGroupArn: string;
    before(() => {
      const [schedule, ...others] = ofType("aws:scheduler/schedule:Schedule");
      assert.ok(schedule && others.length === 0, "one schedule");
      target = schedule.inputs.target as Target;
      roleArn = target.roleArn;
      taskDefinitionArn = target.ecsParameters.taskDefinitionArn;
      const definition = ofType("aws:ecs/taskDefinition:TaskDefinition").find((d) => d.state.arn === taskDefinitionArn);
      assert.ok(definition, "the schedule runs the program's task definition");
      taskRoleArn = String(definition.inputs.taskRoleArn);
      executionRoleArn = String(definition.inputs.executionRoleArn);
      const group = ofType("aws:scheduler/scheduleGroup:ScheduleGroup").find((g) => g.state.name === schedule.inputs.groupName);
      assert.ok(group, "the schedule's group");
      scheduleGroupArn = String(group.state.arn);
    });
    const asRole = (action: string, resource: string, context?: AccessRequest["context"]): AccessRequest => ({ principal: roleArn, action, resource, ...(context ? { context } : {}) });
    /** `…:task-definition/<family>:<revision>` split at the revision. */
    const revisionOf = (arn: string) => {
      const match = /^(.*):(\d+)$/.exec(arn);
      assert.ok(match, `a task definition ARN with a revision: ${arn}`);
      return { withoutRevision: match[1]!, revision: Number(match[2]) };
    };

    it("may run the targeted task definition, and the next revision of its family, on the cluster", async () => {
      const { withoutRevision, revision } = revisionOf(taskDefinitionArn);
      for (const arn of [taskDefinitionArn, `${withoutRevision}:${revision + 1}`]) {
        await assertAccess(policies, asRole("ecs:RunTask", arn, { "ecs:cluster": target.arn }), "Allowed");
      }
    });

    it("may not run it on another cluster, nor run another family", async () => {
      await assertAccess(policies, asRole("ecs:RunTask", taskDefinitionArn, { "ecs:cluster": `${target.arn}-other` }), "Denied");
      await assertAccess(policies, asRole("ecs:RunTask", `${revisionOf(taskDefinitionArn).withoutRevision}-other:1`, { "ecs:cluster": target.arn }), "Denied");
    });

    it("may tag the task it starts, only while starting it", async () => {
      // A task's ARN: arn:<partition>:ecs:<region>:<account>:task/<cluster name>/<task id>.
      const taskArn = `${target.arn.replace(":cluster/", ":task/")}/0123456789abcdef0123456789abcdef`;
      await assertAccess(policies, asRole("ecs:TagResource", taskArn, { "ecs:CreateAction": "RunTask" }), "Allowed");
      await assertAccess(policies, asRole("ecs:TagResource", taskArn), "Denied");
      await assertAccess(policies, asRole("ecs:TagResource", taskDefinitionArn, { "ecs:CreateAction": "RunTask" }), "Denied");
    });

    it("may pass exactly the task and execution roles, only to ECS tasks", async () => {
      for (const arn of [taskRoleArn, executionRoleArn]) {
        await assertAccess(policies, asRole("iam:PassRole", arn, { "iam:PassedToService": "ecs-tasks.amazonaws.com" }), "Allowed");
        await assertAccess(policies, asRole("iam:PassRole", arn, { "iam:PassedToService": "lambda.amazonaws.com" }), "Denied");
      }
      const others = [...policies.roles.keys()].filter((arn) => ![taskRoleArn, executionRoleArn].includes(arn));
      assert.ok(others.includes(roleArn) && others.length >= 2, "the program has other roles (its own, the COPY role)");
      for (const arn of others) await assertAccess(policies, asRole("iam:PassRole", arn, { "iam:PassedToService": "ecs-tasks.amazonaws.com" }), "Denied");
    });

    it("may send unstarted runs to its dead-letter queue, and to no other queue", async () => {
      await assertAccess(policies, asRole("sqs:SendMessage", target.deadLetterConfig.arn), "Allowed");
      await assertAccess(policies, asRole("sqs:SendMessage", `${target.deadLetterConfig.arn}-other`), "Denied");
      await assertAccess(policies, asRole("sqs:ReceiveMessage", target.deadLetterConfig.arn), "Denied");
    });

    it("may not stop tasks, touch the bucket or publish alerts", async () => {
      const bucketArn = String(ofType("aws:s3/bucket:Bucket")[0]!.state.arn);
      await assertAccess(policies, asRole("ecs:StopTask", `${target.arn.replace(":cluster/", ":task/")}/0123456789abcdef0123456789abcdef`, { "ecs:cluster": target.arn }), "Denied");
      await assertAccess(policies, asRole("s3:GetObject", `${bucketArn}/input/a.csv`, { "aws:SecureTransport": "true" }), "Denied");
      await assertAccess(policies, asRole("sns:Publish", String(ofType("aws:sns/topic:Topic")[0]!.state.arn)), "Denied");
    });

    it("is assumed by EventBridge Scheduler for this account's schedule group only", async () => {
      const assume = (principal: string, context: Record<string, string>) => ({ principal, action: "sts:AssumeRole", resource: roleArn, context });
      const own = { "aws:SourceArn": scheduleGroupArn, "aws:SourceAccount": accountOf(scheduleGroupArn) };
      await assertAccess(policies, assume("scheduler.amazonaws.com", own), "Allowed");
      await assertAccess(policies, assume("scheduler.amazonaws.com", { "aws:SourceArn": inAccount(scheduleGroupArn, otherAccount), "aws:SourceAccount": otherAccount }), "Denied");
      await assertAccess(policies, assume("scheduler.amazonaws.com", { ...own, "aws:SourceArn": `${scheduleGroupArn}-other` }), "Denied");
      await assertAccess(policies, assume("scheduler.amazonaws.com", {}), "Denied");
      await assertAccess(policies, assume("events.amazonaws.com", own), "Denied");
      await assertAccess(policies, assume("ecs-tasks.amazonaws.com", own), "Denied");
    });
  });
});
