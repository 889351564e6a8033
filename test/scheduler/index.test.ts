import assert from "node:assert/strict";
import { parsePolicyDocument } from "../../infra/iam/policy-document.ts";
import { Scheduler, type SchedulerArgs } from "../../scheduler/index.ts";
import { fakeAccountId, loadProgram, oneResource, promiseOf, type RecordedResource, resourcesOfType, settle } from "../infra/support/pulumi-mocks.ts";

const types = {
  schedule: "aws:scheduler/schedule:Schedule",
  group: "aws:scheduler/scheduleGroup:ScheduleGroup",
  queue: "aws:sqs/queue:Queue",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
} as const;

interface Target {
  arn: string;
  roleArn: string;
  ecsParameters: Record<string, unknown> & { networkConfiguration: Record<string, unknown> };
  retryPolicy: Record<string, number>;
  deadLetterConfig: { arn: string };
}

describe("Scheduler (in the program)", () => {
  let outputs: Record<string, unknown>;
  let schedule: RecordedResource;
  let target: Target;
  before(async () => {
    ({ outputs } = await loadProgram());
    schedule = oneResource(types.schedule, "cti-etl-scheduler");
    target = schedule.inputs.target as Target;
  });

  const program = (type: string, prefix = "") => oneResource(type, prefix);

  describe("schedule", () => {
    it("runs on the configured expression and time zone", () => {
      assert.equal(schedule.inputs.scheduleExpression, "cron(0 3 * * ? *)");
      assert.equal(schedule.inputs.scheduleExpressionTimezone, "UTC");
    });

    it("is enabled, starts on time (no flexible window) by default", () => {
      assert.equal(schedule.inputs.state, "ENABLED");
      assert.deepEqual(schedule.inputs.flexibleTimeWindow, { mode: "OFF" });
    });

    it("lives in its own schedule group, named after the stack", () => {
      const group = program(types.group, "cti-etl-scheduler");
      assert.equal(group.inputs.name, "cti-etl-dev");
      assert.equal(schedule.inputs.groupName, group.state.name);
      assert.equal(schedule.inputs.name, "cti-etl-dev");
    });

    it("exports its name, group and ARN", () => {
      assert.equal(outputs.scheduleName, schedule.state.name);
      assert.equal(outputs.scheduleGroupName, "cti-etl-dev");
      assert.equal(outputs.scheduleArn, `arn:aws:scheduler:us-east-1:${fakeAccountId}:schedule/cti-etl-dev/cti-etl-dev`);
    });
  });

  describe("target", () => {
    it("runs the current task definition revision on the cluster", () => {
      const taskDefinition = program(types.taskDefinition);
      assert.equal(target.arn, outputs.clusterArn);
      assert.equal(target.ecsParameters.taskDefinitionArn, taskDefinition.state.arn);
      assert.equal(target.ecsParameters.taskDefinitionArn, outputs.taskDefinitionArn);
      assert.match(String(target.ecsParameters.taskDefinitionArn), /:task-definition\/cti-etl-dev:\d+$/);
    });

    it("runs one task on Fargate in the private subnets with the task's security group and no public IP", () => {
      assert.equal(target.ecsParameters.launchType, "FARGATE");
      assert.equal(target.ecsParameters.taskCount, 1);
      assert.deepEqual(target.ecsParameters.networkConfiguration, {
        subnets: outputs.subnetIds,
        securityGroups: [outputs.securityGroupId],
        assignPublicIp: false,
      });
    });

    it("propagates tags from the task definition and turns managed tags on", () => {
      assert.equal(target.ecsParameters.propagateTags, "TASK_DEFINITION");
      assert.equal(target.ecsParameters.enableEcsManagedTags, true);
    });

    it("retries as configured, then gives up into the dead-letter queue", () => {
      assert.deepEqual(target.retryPolicy, { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 });
      assert.equal(target.deadLetterConfig.arn, program(types.queue, "cti-etl-scheduler").state.arn);
    });

    it("starts it as the scheduler's role", () => {
      assert.equal(target.roleArn, program(types.role, "cti-etl-scheduler-role").state.arn);
    });
  });

  describe("dead-letter queue", () => {
    it("is a standard queue encrypted at rest that keeps messages for 14 days", () => {
      const queue = program(types.queue, "cti-etl-scheduler");
      assert.equal(queue.inputs.sqsManagedSseEnabled, true);
      assert.equal(queue.inputs.messageRetentionSeconds, 1_209_600);
      assert.equal(queue.inputs.fifoQueue, undefined);
      assert.equal(outputs.deadLetterQueueUrl, queue.state.url);
    });
  });

  describe("role", () => {
    const role = () => program(types.role, "cti-etl-scheduler-role");
    const policy = () => parsePolicyDocument(program(types.rolePolicy, "cti-etl-scheduler-policy").inputs.policy);

    it("is assumed only by EventBridge Scheduler for this account's schedule group", () => {
      const trust = parsePolicyDocument(role().inputs.assumeRolePolicy);
      assert.deepEqual(
        trust.map((s) => [s.principal, s.actions, s.condition]),
        [
          [
            { Service: ["scheduler.amazonaws.com"] },
            ["sts:AssumeRole"],
            {
              StringEquals: { "aws:SourceAccount": [fakeAccountId] },
              ArnEquals: { "aws:SourceArn": [program(types.group, "cti-etl-scheduler").state.arn] },
            },
          ],
        ],
      );
    });

    it("may run this family on this cluster, tag its task, pass the two task roles to ECS tasks and use the queue: nothing else", () => {
      const taskRoleArn = program(types.role, "cti-etl-compute-task-role").state.arn;
      const executionRoleArn = program(types.role, "cti-etl-compute-execution-role").state.arn;
      assert.deepEqual(
        policy().map((s) => [s.actions, s.resources, s.condition]),
        [
          [["ecs:RunTask"], [`arn:aws:ecs:us-east-1:${fakeAccountId}:task-definition/cti-etl-dev:*`], { ArnEquals: { "ecs:cluster": [outputs.clusterArn] } }],
          [["ecs:TagResource"], [`arn:aws:ecs:us-east-1:${fakeAccountId}:task/cti-etl-dev/*`], { StringEquals: { "ecs:CreateAction": ["RunTask"] } }],
          [["iam:PassRole"], [taskRoleArn, executionRoleArn], { StringEquals: { "iam:PassedToService": ["ecs-tasks.amazonaws.com"] } }],
          [["sqs:SendMessage"], [program(types.queue, "cti-etl-scheduler").state.arn], undefined],
        ],
      );
    });

    it("is the role the policy is attached to", () => {
      assert.equal(program(types.rolePolicy, "cti-etl-scheduler-policy").inputs.role, role().state.id);
    });
  });
});

describe("Scheduler (configured otherwise)", () => {
  let base: SchedulerArgs;
  before(async () => {
    const { outputs } = await loadProgram();
    base = {
      name: "sandbox-sched",
      stackLabel: "cti-etl/sandbox",
      region: "us-east-1",
      expression: "rate(6 hours)",
      timeZone: "Europe/Berlin",
      timing: { paused: true, flexibleWindowMinutes: 20, retryAttempts: 0, maxEventAgeSeconds: 60 },
      job: "sandbox-sched",
      clusterArn: String(outputs.clusterArn),
      taskDefinitionArn: String(outputs.taskDefinitionArn),
      taskRoleArn: `arn:aws:iam::${fakeAccountId}:role/task`,
      executionRoleArn: `arn:aws:iam::${fakeAccountId}:role/execution`,
      subnetIds: ["subnet-1"],
      securityGroupId: "sg-1",
      logGroupName: "/cti-etl/sandbox/task",
    };
    const scheduler = new Scheduler("sandbox-sched", base);
    await promiseOf(scheduler.scheduleArn);
    await settle();
  });

  it("is paused (DISABLED) from config, with its flexible window, time zone and retry policy", () => {
    const schedule = oneResource(types.schedule, "sandbox-sched");
    assert.equal(schedule.inputs.state, "DISABLED");
    assert.deepEqual(schedule.inputs.flexibleTimeWindow, { mode: "FLEXIBLE", maximumWindowInMinutes: 20 });
    assert.equal(schedule.inputs.scheduleExpression, "rate(6 hours)");
    assert.equal(schedule.inputs.scheduleExpressionTimezone, "Europe/Berlin");
    assert.deepEqual((schedule.inputs.target as Target).retryPolicy, { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 });
  });

  it("times its no-recent-success alarm from its own expression and timing, quiet while paused", () => {
    const alarm = oneResource(types.alarm, "sandbox-sched-alerts-no-recent-success");
    // rate(6 hours) plus an hour for the run, 20 minutes of flexible window and 60 s of retries: 26460 s, 8 hourly periods.
    assert.deepEqual([alarm.inputs.name, alarm.inputs.period, alarm.inputs.evaluationPeriods, alarm.inputs.actionsEnabled], ["sandbox-sched-no-recent-success", 3600, 8, false]);
  });

  it("refuses an invalid expression or time zone before registering anything", () => {
    const before = resourcesOfType(types.schedule, "sandbox-").length;
    assert.throws(() => new Scheduler("sandbox-bad-cron", { ...base, name: "sandbox-bad-cron", expression: "cron(0 3 * * *)" }), /schedule expression "cron\(0 3 \* \* \*\)" has 5 cron fields/);
    assert.throws(() => new Scheduler("sandbox-bad-zone", { ...base, name: "sandbox-bad-zone", timeZone: "CET+1" }), /schedule time zone "CET\+1"/);
    assert.equal(resourcesOfType(types.schedule, "sandbox-").length, before);
  });
});
