import assert from "node:assert/strict";
import { parsePolicyDocument, renderPolicyDocument } from "../../infra/iam/policy-document.ts";
import { isUnscopable } from "../../infra/iam/unscopable-actions.ts";
import { alertKeyStatements, alertTopicStatements, clusterNameOf, schedulerRoleStatements, schedulerTrust } from "../../scheduler/iam.ts";

const account = "123456789012";
const scope = {
  clusterArn: `arn:aws:ecs:us-east-1:${account}:cluster/cti-etl-dev`,
  taskDefinitionArn: `arn:aws:ecs:us-east-1:${account}:task-definition/cti-etl-dev:7`,
  taskRoleArn: `arn:aws:iam::${account}:role/cti-etl-compute-task-role-1a2b3c4`,
  executionRoleArn: `arn:aws:iam::${account}:role/cti-etl-compute-execution-role-5d6e7f8`,
  deadLetterQueueArn: `arn:aws:sqs:us-east-1:${account}:cti-etl-dev-schedule-dlq`,
};

describe("scheduler IAM", () => {
  describe("schedulerTrust", () => {
    const [trust, ...more] = schedulerTrust({ accountId: account, scheduleGroupArn: `arn:aws:scheduler:us-east-1:${account}:schedule-group/cti-etl-dev` });

    it("trusts EventBridge Scheduler only, to assume the role only", () => {
      assert.deepEqual(more, []);
      assert.deepEqual(trust?.principal, { type: "Service", identifiers: ["scheduler.amazonaws.com"] });
      assert.deepEqual(trust?.actions, ["sts:AssumeRole"]);
    });

    it("only for schedules of this account, in this stack's schedule group", () => {
      assert.deepEqual(trust?.conditions, [
        { test: "StringEquals", variable: "aws:SourceAccount", values: [account] },
        { test: "ArnEquals", variable: "aws:SourceArn", values: [`arn:aws:scheduler:us-east-1:${account}:schedule-group/cti-etl-dev`] },
      ]);
    });
  });

  describe("schedulerRoleStatements", () => {
    const statements = schedulerRoleStatements(scope);
    // As AWS reads them: rendered and parsed back.
    const parsed = parsePolicyDocument(renderPolicyDocument(statements));

    it("grants exactly these actions on exactly these resources, under these conditions", () => {
      assert.deepEqual(
        parsed.map((s) => ({ effect: s.effect, actions: s.actions, resources: s.resources, condition: s.condition })),
        [
          {
            effect: "Allow",
            actions: ["ecs:RunTask"],
            resources: [`arn:aws:ecs:us-east-1:${account}:task-definition/cti-etl-dev:*`],
            condition: { ArnEquals: { "ecs:cluster": [scope.clusterArn] } },
          },
          {
            effect: "Allow",
            actions: ["ecs:TagResource"],
            resources: [`arn:aws:ecs:us-east-1:${account}:task/cti-etl-dev/*`],
            condition: { StringEquals: { "ecs:CreateAction": ["RunTask"] } },
          },
          {
            effect: "Allow",
            actions: ["iam:PassRole"],
            resources: [scope.taskRoleArn, scope.executionRoleArn],
            condition: { StringEquals: { "iam:PassedToService": ["ecs-tasks.amazonaws.com"] } },
          },
          { effect: "Allow", actions: ["sqs:SendMessage"], resources: [scope.deadLetterQueueArn], condition: undefined },
        ],
      );
    });

    it("never uses a wildcard action or Resource '*'", () => {
      for (const statement of parsed) {
        assert.ok(statement.actions.every((a) => !a.includes("*")), statement.sid);
        assert.ok(!statement.resources.includes("*") || statement.actions.every(isUnscopable), statement.sid);
      }
    });

    it("lets the schedule run any revision of this family, but no other family", () => {
      const runTask = parsed.find((s) => s.actions.includes("ecs:RunTask"))!;
      const covered = (arn: string) => runTask.resources.some((r) => new RegExp(`^${r.replace(/[.]/g, "\\.").replace(/\*/g, ".*")}$`).test(arn));
      assert.equal(covered(`arn:aws:ecs:us-east-1:${account}:task-definition/cti-etl-dev:8`), true);
      assert.equal(covered(`arn:aws:ecs:us-east-1:${account}:task-definition/cti-etl-dev-backfill:1`), false);
    });
  });

  describe("clusterNameOf", () => {
    it("reads the cluster name from its ARN and refuses anything else", () => {
      assert.equal(clusterNameOf(scope.clusterArn), "cti-etl-dev");
      assert.throws(() => clusterNameOf(scope.taskDefinitionArn), /not an ECS cluster ARN/);
    });
  });

  describe("alertTopicStatements", () => {
    const topicArn = `arn:aws:sns:us-east-1:${account}:cti-etl-dev-alerts`;
    const ruleArn = `arn:aws:events:us-east-1:${account}:rule/cti-etl-dev-failed-run`;
    const alarmArn = (name: string) => `arn:aws:cloudwatch:us-east-1:${account}:alarm:cti-etl-dev-${name}`;
    const alarmArns = [alarmArn("run-never-started"), alarmArn("rejected-ratio"), alarmArn("no-recent-success"), alarmArn("rejected-ratio")];
    const parsed = parsePolicyDocument(renderPolicyDocument(alertTopicStatements({ topicArn, accountId: account, failureRuleArn: ruleArn, alarmArns })));

    it("lets only the failure rule and the given alarms of this account publish, only to this topic", () => {
      assert.deepEqual(
        parsed.map((s) => [s.principal, s.actions, s.resources, s.condition]),
        [
          [{ Service: ["events.amazonaws.com"] }, ["sns:Publish"], [topicArn], { ArnEquals: { "aws:SourceArn": [ruleArn] } }],
          [
            { Service: ["cloudwatch.amazonaws.com"] },
            ["sns:Publish"],
            [topicArn],
            {
              ArnEquals: { "aws:SourceArn": [alarmArn("no-recent-success"), alarmArn("rejected-ratio"), alarmArn("run-never-started")] },
              StringEquals: { "aws:SourceAccount": [account] },
            },
          ],
        ],
      );
    });

    it("refuses an empty alarm list (SNS would refuse the policy; the dead-letter alarm always notifies)", () => {
      assert.throws(() => alertTopicStatements({ topicArn, accountId: account, failureRuleArn: ruleArn, alarmArns: [] }), /no alarm ARNs/);
    });
  });

  describe("alertKeyStatements", () => {
    const parsed = parsePolicyDocument(renderPolicyDocument(alertKeyStatements({ accountId: account, partition: "aws" })));

    it("keeps the key administrable by the account through IAM (AWS's default key policy)", () => {
      assert.deepEqual(parsed[0]?.principal, { AWS: [`arn:aws:iam::${account}:root`] });
    });

    it("lets EventBridge and CloudWatch encrypt messages for the topic, nothing more", () => {
      assert.deepEqual(parsed.slice(1).map((s) => [s.principal, s.actions]), [
        [{ Service: ["events.amazonaws.com", "cloudwatch.amazonaws.com"] }, ["kms:Decrypt", "kms:GenerateDataKey"]],
      ]);
    });
  });
});
