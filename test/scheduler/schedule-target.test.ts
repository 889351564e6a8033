import assert from "node:assert/strict";
import { runTaskTarget, scheduleSettings } from "../../scheduler/schedule-target.ts";

const timing = { paused: false, flexibleWindowMinutes: 0, retryAttempts: 3, maxEventAgeSeconds: 3600 };

describe("scheduleSettings", () => {
  it("is enabled with no flexible window by default", () => {
    assert.deepEqual(scheduleSettings(timing), {
      state: "ENABLED",
      flexibleTimeWindow: { mode: "OFF" },
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
    });
  });

  it("is disabled when paused", () => {
    assert.equal(scheduleSettings({ ...timing, paused: true }).state, "DISABLED");
  });

  it("turns a flexible window on with its width", () => {
    assert.deepEqual(scheduleSettings({ ...timing, flexibleWindowMinutes: 30 }).flexibleTimeWindow, { mode: "FLEXIBLE", maximumWindowInMinutes: 30 });
  });

  it("refuses values outside the Scheduler API's limits", () => {
    assert.throws(() => scheduleSettings({ ...timing, flexibleWindowMinutes: 1441 }), /flexibleWindowMinutes must be a whole number from 0 to 1440 \(was 1441\)/);
    assert.throws(() => scheduleSettings({ ...timing, retryAttempts: 186 }), /retryAttempts must be a whole number from 0 to 185/);
    assert.throws(() => scheduleSettings({ ...timing, maxEventAgeSeconds: 30 }), /maxEventAgeSeconds must be a whole number from 60 to 86400/);
    assert.throws(() => scheduleSettings({ ...timing, retryAttempts: 1.5 }), /retryAttempts/);
  });
});

describe("runTaskTarget", () => {
  const args = {
    clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/cti-etl-dev",
    taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/cti-etl-dev:7",
    roleArn: "arn:aws:iam::123456789012:role/scheduler",
    subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
    securityGroupId: "sg-task",
    deadLetterQueueArn: "arn:aws:sqs:us-east-1:123456789012:cti-etl-dev-schedule-dlq",
    retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
  };
  const target = runTaskTarget(args);

  it("runs one Fargate task of exactly the given revision on the cluster, as the scheduler role", () => {
    assert.equal(target.arn, args.clusterArn);
    assert.equal(target.roleArn, args.roleArn);
    assert.deepEqual([target.ecsParameters.taskDefinitionArn, target.ecsParameters.launchType, target.ecsParameters.taskCount], [args.taskDefinitionArn, "FARGATE", 1]);
  });

  it("places it in the private subnets with the task's security group and no public IP", () => {
    assert.deepEqual(target.ecsParameters.networkConfiguration, { subnets: args.subnetIds, securityGroups: ["sg-task"], assignPublicIp: false });
  });

  it("propagates the task definition's tags and turns ECS managed tags on", () => {
    assert.equal(target.ecsParameters.propagateTags, "TASK_DEFINITION");
    assert.equal(target.ecsParameters.enableEcsManagedTags, true);
  });

  it("retries as configured, then sends the run to the dead-letter queue", () => {
    assert.deepEqual(target.retryPolicy, args.retryPolicy);
    assert.deepEqual(target.deadLetterConfig, { arn: args.deadLetterQueueArn });
  });

  it("refuses to run without a subnet", () => {
    assert.throws(() => runTaskTarget({ ...args, subnetIds: [] }), /at least one subnet/);
  });
});
