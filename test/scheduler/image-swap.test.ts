import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Compute } from "../../infra/compute.ts";
import { parsePolicyDocument } from "../../infra/iam/policy-document.ts";
import { Scheduler } from "../../scheduler/index.ts";
import { samples, taskStateChange } from "./support/ecs-task-events.ts";
import { matchesEventPattern } from "./support/event-pattern-matcher.ts";
import { fakeAccountId, loadProgram, oneResource, promiseOf, settle } from "../infra/support/pulumi-mocks.ts";

/**
 * A new image, deployed. Under the mocks each `deploy()` below stands for one `pulumi up` of the
 * same stack: the fake task-definition registry hands out revisions as Pulumi and ECS do
 * together (a changed container definition replaces the task definition, and ECS registers the
 * replacement as the family's next revision; an unchanged one keeps its revision).
 *
 * What makes the swap safe in a real deploy, and what these tests pin down:
 * - the schedule's target names the revision the same `pulumi up` registered, so it moves to the
 *   new image in that deploy;
 * - the role may run, and the failure rule watches, every revision of the family, so a run
 *   started on the old revision keeps its permissions and its alerts;
 * - Pulumi replaces a task definition create-before-delete (its default; compute.ts does not set
 *   `deleteBeforeReplace`), so the old revision is deregistered only after the new one exists
 *   and the schedule points to it. A deregistered (INACTIVE) revision does not stop a task that
 *   is running on it.
 */

const family = "sandbox-swap";
const repository = `${fakeAccountId}.dkr.ecr.us-east-1.amazonaws.com/cti-etl`;
const digest = (seed: string) => `${repository}@sha256:${seed.repeat(64).slice(0, 64)}`;

interface Deployed {
  taskDefinitionArn: string;
  image: string;
  scheduleTarget: string;
  runTaskResources: string[];
  eventPattern: string;
}

async function deploy(version: string, image: string): Promise<Deployed> {
  const name = `sandbox-swap-${version}`;
  const compute = new Compute(`${name}-compute`, {
    region: "us-east-1",
    clusterName: family,
    taskFamily: family,
    containerName: "etl",
    logGroupName: `/cti-etl/${family}/task`,
    logRetentionDays: 30,
    cpu: 1024,
    memory: 2048,
    cpuArchitecture: "ARM64",
    ephemeralStorageGiB: 21,
    imageUri: image,
    repositoryArn: `arn:aws:ecr:us-east-1:${fakeAccountId}:repository/cti-etl`,
    bucketArn: "arn:aws:s3:::sandbox-swap-bucket",
    workgroupArn: `arn:aws:redshift-serverless:us-east-1:${fakeAccountId}:workgroup/00000000-0000-0000-0000-000000000000`,
    environment: pulumi.output({
      bucket: "sandbox-swap-bucket",
      inputPrefix: "input/",
      outputPrefix: "runs/",
      table: "public.cti_records",
      workgroup: "sandbox-swap-wg",
      database: "cti",
      copyRoleArn: `arn:aws:iam::${fakeAccountId}:role/copy`,
    }),
  });
  const scheduler = new Scheduler(`${name}-scheduler`, {
    name,
    stackLabel: "cti-etl/sandbox-swap",
    region: "us-east-1",
    expression: "cron(0 3 * * ? *)",
    timeZone: "UTC",
    timing: { paused: false, flexibleWindowMinutes: 0, retryAttempts: 3, maxEventAgeSeconds: 3600 },
    job: name,
    clusterArn: compute.clusterArn,
    taskDefinitionArn: compute.taskDefinitionArn,
    taskRoleArn: compute.taskRoleArn,
    executionRoleArn: compute.executionRoleArn,
    subnetIds: ["subnet-1", "subnet-2"],
    securityGroupId: "sg-1",
    logGroupName: compute.logGroupName,
  });
  const taskDefinitionArn = await promiseOf(compute.taskDefinitionArn, `${version} task definition`);
  await promiseOf(scheduler.scheduleArn, `${version} schedule`);
  await settle();
  const container = JSON.parse(String(oneResource("aws:ecs/taskDefinition:TaskDefinition", `${name}-compute`).inputs.containerDefinitions)) as { image: string }[];
  const target = oneResource("aws:scheduler/schedule:Schedule", `${name}-scheduler`).inputs.target as { ecsParameters: { taskDefinitionArn: string } };
  const policy = parsePolicyDocument(oneResource("aws:iam/rolePolicy:RolePolicy", `${name}-scheduler-policy`).inputs.policy);
  return {
    taskDefinitionArn,
    image: container[0]!.image,
    scheduleTarget: target.ecsParameters.taskDefinitionArn,
    runTaskResources: policy.find((s) => s.actions.includes("ecs:RunTask"))!.resources,
    eventPattern: String(oneResource("aws:cloudwatch/eventRule:EventRule", `${name}-scheduler-alerts`).inputs.eventPattern),
  };
}

describe("image swap", () => {
  let first: Deployed;
  let second: Deployed;
  before(async () => {
    await loadProgram();
    first = await deploy("v1", digest("a"));
    second = await deploy("v2", digest("b"));
  });

  it("references the image by digest in the task definition", () => {
    assert.equal(first.image, digest("a"));
    assert.equal(second.image, digest("b"));
  });

  it("registers a new task definition revision for a new image digest", () => {
    assert.equal(first.taskDefinitionArn, `arn:aws:ecs:us-east-1:${fakeAccountId}:task-definition/${family}:1`);
    assert.equal(second.taskDefinitionArn, `arn:aws:ecs:us-east-1:${fakeAccountId}:task-definition/${family}:2`);
  });

  it("moves the schedule's target to the new revision in the same deploy", () => {
    assert.equal(first.scheduleTarget, first.taskDefinitionArn);
    assert.equal(second.scheduleTarget, second.taskDefinitionArn);
  });

  it("keeps a run on the old revision covered: the role may run it, the failure rule still watches it", () => {
    assert.deepEqual(second.runTaskResources, [`arn:aws:ecs:us-east-1:${fakeAccountId}:task-definition/${family}:*`]);
    assert.deepEqual(second.runTaskResources, first.runTaskResources);
    const oldRevisionFailure = taskStateChange({
      exitCode: 1,
      cluster: `arn:aws:ecs:us-east-1:${fakeAccountId}:cluster/${family}`,
      taskDefinition: first.taskDefinitionArn,
    });
    assert.equal(matchesEventPattern(second.eventPattern, oldRevisionFailure), true);
    assert.equal(matchesEventPattern(second.eventPattern, samples.failure), false, "another cluster's task");
  });
});
