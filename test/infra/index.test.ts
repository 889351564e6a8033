import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { runTaskArgv } from "../../infra/run-task-command.ts";
import { loadProgram, mockFailures, recorded, resourcesOfType } from "./support/pulumi-mocks.ts";

describe("the program (infra/index.ts)", () => {
  let outputs: Record<string, unknown>;
  before(async () => ({ outputs } = await loadProgram()));

  it("exports everything an operator needs", () => {
    assert.deepEqual(Object.keys(outputs).sort(), [
      "alertTopicArn",
      "bucketName",
      "clusterArn",
      "copyRoleArn",
      "dashboardName",
      "deadLetterQueueUrl",
      "fanOutStateMachineArn",
      "imageUri",
      "inputUri",
      "logGroupName",
      "redshiftAdminSecretArn",
      "runTaskCommand",
      "scheduleArn",
      "scheduleGroupName",
      "scheduleName",
      "securityGroupId",
      "subnetIds",
      "taskDefinitionArn",
      "taskDefinitionFamily",
      "workgroupName",
    ]);
  });

  it("exports no state machine while fanOut is off (the dev stack's default)", () => {
    assert.equal(outputs.fanOutStateMachineArn, "");
  });

  it("exports the input URI under the configured prefix", () => {
    assert.equal(outputs.inputUri, `s3://${String(outputs.bucketName)}/input/`);
  });

  it("exports a run-task command built from the other outputs, with its network and an input override", () => {
    assert.equal(typeof outputs.runTaskCommand, "string");
    const expected = runTaskArgv({
      region: "us-east-1",
      cluster: String(outputs.clusterArn),
      taskDefinition: String(outputs.taskDefinitionFamily),
      subnetIds: outputs.subnetIds as string[],
      securityGroupIds: [String(outputs.securityGroupId)],
      containerName: "etl",
      input: String(outputs.inputUri),
    });
    const words = execFileSync("bash", ["-c", `printf '%s\\0' ${String(outputs.runTaskCommand)}`], { encoding: "utf8" }).split("\0").slice(0, -1);
    assert.deepEqual(words, expected);
  });

  it("registers every resource without a mock failure or a missing fake output", () => {
    assert.deepEqual(mockFailures, []);
    assert.ok(recorded.length > 30);
  });

  it("groups resources under one component per module", () => {
    const components = recorded.filter((r) => r.type.startsWith("cti-etl:infra:")).map((r) => r.type);
    for (const module of ["Network", "Storage", "Registry", "Warehouse", "Compute"]) assert.ok(components.includes(`cti-etl:infra:${module}`), module);
  });

  it("composes the scheduler, with its alerting inside it", () => {
    assert.deepEqual(resourcesOfType("cti-etl:scheduler:Scheduler").map((r) => r.name), ["cti-etl-scheduler"]);
    assert.deepEqual(resourcesOfType("cti-etl:scheduler:Alerting").map((r) => r.name), ["cti-etl-scheduler-alerts"]);
  });
});
