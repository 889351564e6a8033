import assert from "node:assert/strict";
import aslValidator from "asl-validator";
import { FanOut } from "../../scheduler/fan-out.ts";
import { fanOutProblems } from "../../scheduler/fan-out-definition.ts";
import { SYNC_RULE_NAME } from "../../scheduler/fan-out-iam.ts";
import { Scheduler } from "../../scheduler/index.ts";
import { type AccessRequest, assertAccess } from "../infra/support/iam-simulator.ts";
import { fakeAccountId, loadProgram, promiseOf, resourcesOfType, settle, type RecordedResource } from "../infra/support/pulumi-mocks.ts";
import { renderedPolicies, type RenderedPolicies } from "../infra/support/rendered-policies.ts";
import { samples } from "./support/ecs-task-events.ts";
import { matchesEventPattern } from "./support/event-pattern-matcher.ts";

/**
 * `fanOut` on, built beside the program (the dev stack keeps it off): the state machine, the
 * schedule that starts it, and both roles evaluated by the IAM simulator.
 */
describe("scheduler/fan-out.ts (config fanOut), under mocks and simulated", function () {
  this.timeout(60_000);
  let program: readonly RecordedResource[];
  let policies: RenderedPolicies;
  let machine: RecordedResource;
  let schedule: RecordedResource;
  let fanOutRoleArn: string;
  let stateMachineArn: string;
  let taskDefinitionArn: string;
  let clusterArn: string;
  let taskRoleArn: string;
  let bucketArn: string;
  const one = (type: string) => {
    const all = resourcesOfType(type);
    assert.equal(all.length, 1, type);
    return all[0]!;
  };

  before(async () => {
    ({ resources: program } = await loadProgram());
    const definition = one("aws:ecs/taskDefinition:TaskDefinition");
    taskDefinitionArn = String(definition.state.arn);
    taskRoleArn = String(definition.inputs.taskRoleArn);
    clusterArn = String(one("aws:ecs/cluster:Cluster").state.arn);
    const bucket = one("aws:s3/bucket:Bucket");
    bucketArn = String(bucket.state.arn);
    const fanOut = new FanOut("sandbox-fan-out", {
      name: "sandbox-fan",
      stackLabel: "cti-etl/sandbox",
      clusterArn,
      taskDefinitionArn,
      containerName: "etl",
      taskRoleArn,
      executionRoleArn: String(definition.inputs.executionRoleArn),
      subnetIds: ["subnet-a", "subnet-b"],
      securityGroupId: "sg-1",
      bucketName: String(bucket.state.bucket),
      bucketArn,
      outputPrefix: "runs/",
      maxConcurrency: 20,
      shardAttempts: 3,
    });
    new Scheduler("sandbox-fan-scheduler", {
      name: "sandbox-fan",
      stackLabel: "cti-etl/sandbox",
      region: "us-east-1",
      expression: "cron(0 3 * * ? *)",
      timeZone: "UTC",
      timing: { paused: false, flexibleWindowMinutes: 0, retryAttempts: 3, maxEventAgeSeconds: 3600 },
      clusterArn,
      taskDefinitionArn,
      taskRoleArn,
      executionRoleArn: String(definition.inputs.executionRoleArn),
      subnetIds: ["subnet-a"],
      securityGroupId: "sg-1",
      logGroupName: "/cti-etl/sandbox/task",
      job: "sandbox-fan",
      fanOut: { stateMachineArn: fanOut.stateMachineArn },
    });
    stateMachineArn = await promiseOf(fanOut.stateMachineArn);
    fanOutRoleArn = await promiseOf(fanOut.roleArn);
    await settle();
    const sandbox = ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:sfn/stateMachine:StateMachine", "aws:scheduler/schedule:Schedule"].flatMap((t) => resourcesOfType(t, "sandbox-fan"));
    policies = renderedPolicies([...program, ...sandbox]);
    machine = resourcesOfType("aws:sfn/stateMachine:StateMachine", "sandbox-fan")[0]!;
    schedule = resourcesOfType("aws:scheduler/schedule:Schedule", "sandbox-fan")[0]!;
  });

  it("deploys a Standard state machine whose definition asl-validator and the project's rules accept, running the program's task definition", () => {
    assert.deepEqual([machine.inputs.name, machine.inputs.type, machine.inputs.roleArn], ["sandbox-fan", "STANDARD", fanOutRoleArn]);
    const definition = JSON.parse(String(machine.inputs.definition));
    const { isValid, errorsText } = aslValidator(definition);
    assert.ok(isValid, errorsText("\n"));
    assert.deepEqual(fanOutProblems(definition), []);
    assert.equal(definition.States.Plan.Parameters.TaskDefinition, taskDefinitionArn);
    assert.equal(definition.States.Shards.MaxConcurrency, 20);
  });

  it("has the schedule start an execution of it, with a role that may do only that (and its dead-letter queue)", async () => {
    const target = schedule.inputs.target as { arn: string; roleArn: string; input: string; ecsParameters?: unknown };
    assert.deepEqual([target.arn, target.input, target.ecsParameters], [stateMachineArn, "{}", undefined]);
    const asScheduler = (action: string, resource: string, context?: AccessRequest["context"]): AccessRequest => ({ principal: target.roleArn, action, resource, ...(context ? { context } : {}) });
    await assertAccess(policies, asScheduler("states:StartExecution", stateMachineArn), "Allowed");
    await assertAccess(policies, asScheduler("states:StartExecution", `${stateMachineArn}-other`), "Denied");
    await assertAccess(policies, asScheduler("ecs:RunTask", taskDefinitionArn, { "ecs:cluster": clusterArn }), "Denied");
  });

  it("reports a failed, timed-out or aborted execution of it as the failed run, once, with the redrive command; not its tasks' exits", async () => {
    const rules = resourcesOfType("aws:cloudwatch/eventRule:EventRule", "sandbox-fan");
    assert.equal(rules.length, 1);
    const pattern = String(rules[0]!.inputs.eventPattern);
    const execution = (status: string, machine = stateMachineArn) => ({
      version: "0",
      "detail-type": "Step Functions Execution Status Change",
      source: "aws.states",
      account: fakeAccountId,
      region: "us-east-1",
      resources: [`${machine.replace(":stateMachine:", ":execution:")}:exec-1`],
      detail: { executionArn: `${machine.replace(":stateMachine:", ":execution:")}:exec-1`, stateMachineArn: machine, name: "exec-1", status, error: "CtiEtl.BadInput", cause: "exit 2" },
    });
    for (const status of ["FAILED", "TIMED_OUT", "ABORTED"]) assert.ok(matchesEventPattern(pattern, execution(status)), status);
    assert.ok(!matchesEventPattern(pattern, execution("SUCCEEDED")));
    assert.ok(!matchesEventPattern(pattern, execution("FAILED", `${stateMachineArn}-other`)));
    assert.ok(!matchesEventPattern(pattern, samples.failure), "a failed task alone is not a failed run");
    const target = resourcesOfType("aws:cloudwatch/eventTarget:EventTarget", "sandbox-fan")[0]!;
    const template = String((target.inputs.inputTransformer as { inputTemplate: string }).inputTemplate);
    assert.match(template, /cti-etl run <run> failed .*aws stepfunctions redrive-execution --execution-arn <execution>/);
  });

  describe("the state machine's role", () => {
    const asMachine = (action: string, resource: string, context?: AccessRequest["context"]): AccessRequest => ({ principal: fanOutRoleArn, action, resource, ...(context ? { context } : {}) });
    const account = fakeAccountId;

    it("may run and stop this family's tasks on this cluster, and tag them as it starts them; not elsewhere", async () => {
      await assertAccess(policies, asMachine("ecs:RunTask", taskDefinitionArn, { "ecs:cluster": clusterArn }), "Allowed");
      await assertAccess(policies, asMachine("ecs:RunTask", taskDefinitionArn, { "ecs:cluster": `${clusterArn}-other` }), "Denied");
      const clusterName = clusterArn.split("/").pop();
      const task = `arn:aws:ecs:us-east-1:${account}:task/${clusterName}/0123456789abcdef`;
      await assertAccess(policies, asMachine("ecs:StopTask", task), "Allowed");
      await assertAccess(policies, asMachine("ecs:DescribeTasks", task), "Allowed");
      await assertAccess(policies, asMachine("ecs:StopTask", `arn:aws:ecs:us-east-1:${account}:task/other/0123456789abcdef`), "Denied");
      await assertAccess(policies, asMachine("ecs:TagResource", task, { "ecs:CreateAction": "RunTask" }), "Allowed");
      await assertAccess(policies, asMachine("ecs:TagResource", task), "Denied");
    });

    it("may pass the task role to ECS tasks only", async () => {
      await assertAccess(policies, asMachine("iam:PassRole", taskRoleArn, { "iam:PassedToService": "ecs-tasks.amazonaws.com" }), "Allowed");
      await assertAccess(policies, asMachine("iam:PassRole", taskRoleArn, { "iam:PassedToService": "lambda.amazonaws.com" }), "Denied");
      await assertAccess(policies, asMachine("iam:PassRole", fanOutRoleArn, { "iam:PassedToService": "ecs-tasks.amazonaws.com" }), "Denied");
    });

    it("may manage the .sync rule for ECS and no other rule", async () => {
      await assertAccess(policies, asMachine("events:PutRule", `arn:aws:events:us-east-1:${account}:rule/${SYNC_RULE_NAME}`), "Allowed");
      await assertAccess(policies, asMachine("events:PutRule", `arn:aws:events:us-east-1:${account}:rule/other`), "Denied");
    });

    it("may read a run's plan and write the map's results, nothing else of the bucket", async () => {
      const https = { "aws:SecureTransport": "true" };
      await assertAccess(policies, asMachine("s3:GetObject", `${bucketArn}/runs/20261206T030000Z-1a2b3c/plan.jsonl`, https), "Allowed");
      await assertAccess(policies, asMachine("s3:GetObject", `${bucketArn}/runs/20261206T030000Z-1a2b3c/clean/part-00000.csv.zst`, https), "Denied");
      await assertAccess(policies, asMachine("s3:GetObject", `${bucketArn}/input/day.csv`, https), "Denied");
      await assertAccess(policies, asMachine("s3:PutObject", `${bucketArn}/runs/_map-results/map-run/manifest.json`, https), "Allowed");
      await assertAccess(policies, asMachine("s3:PutObject", `${bucketArn}/runs/r1/plan.jsonl`, https), "Denied");
    });

    it("may start and stop its own child executions, not another state machine's", async () => {
      await assertAccess(policies, asMachine("states:StartExecution", stateMachineArn), "Allowed");
      await assertAccess(policies, asMachine("states:StartExecution", `arn:aws:states:us-east-1:${account}:stateMachine:other`), "Denied");
      await assertAccess(policies, asMachine("states:StopExecution", `arn:aws:states:us-east-1:${account}:execution:sandbox-fan/map-run:child-1`), "Allowed");
      await assertAccess(policies, asMachine("states:StopExecution", `arn:aws:states:us-east-1:${account}:execution:other/map-run:child-1`), "Denied");
    });

    it("may be assumed by Step Functions for this state machine only", async () => {
      const assume = (sourceArn: string): AccessRequest => ({ principal: "states.amazonaws.com", action: "sts:AssumeRole", resource: fanOutRoleArn, context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": account } });
      await assertAccess(policies, assume(stateMachineArn), "Allowed");
      await assertAccess(policies, assume(`arn:aws:states:us-east-1:${account}:stateMachine:other`), "Denied");
    });
  });
});
