import assert from "node:assert/strict";
import { readTaskMetadata } from "../../../task/src/observability/ecs-metadata.ts";
import { loadProgram, oneResource } from "../../infra/support/pulumi-mocks.ts";
import type { TaskDefinitionInputs } from "./docker-run-args.ts";
import { startTaskMetadataEndpoint, type TaskMetadataEndpoint } from "./task-metadata-endpoint.ts";

describe("startTaskMetadataEndpoint", function () {
  this.timeout(60_000);
  let td: TaskDefinitionInputs;
  const started: TaskMetadataEndpoint[] = [];
  before(async () => {
    await loadProgram();
    td = oneResource("aws:ecs/taskDefinition:TaskDefinition").inputs as unknown as TaskDefinitionInputs;
  });
  after(async () => Promise.all(started.map((e) => e.stop())));
  const start = async (over: { withoutMemoryLimit?: boolean } = {}) => {
    const endpoint = await startTaskMetadataEndpoint({ taskDefinition: td, cluster: "cti-etl-dev", region: "us-east-1", accountId: "123456789012", ...over });
    started.push(endpoint);
    return endpoint;
  };

  it("serves the task document the job reads: its ARN, and the task definition's cpu in vCPUs and memory in MiB", async () => {
    const endpoint = await start();
    const read = await readTaskMetadata(endpoint.uri);
    assert.ok(read.ok, read.ok ? "" : read.problem);
    assert.equal(read.metadata.taskArn, endpoint.taskArn);
    assert.match(read.metadata.taskArn, /^arn:aws:ecs:us-east-1:123456789012:task\/cti-etl-dev\/[0-9a-f]{32}$/);
    assert.equal(read.metadata.cpuLimitVcpu, Number(td.cpu) / 1024);
    assert.equal(read.metadata.memoryLimitMiB, Number(td.memory));
    assert.equal(read.metadata.family, td.family);
    assert.equal(read.metadata.launchType, "FARGATE");
    assert.equal(endpoint.taskRequests(), 1);
  });

  it("can leave the memory limit out, so only the container's cgroup limits the job", async () => {
    const read = await readTaskMetadata((await start({ withoutMemoryLimit: true })).uri);
    assert.ok(read.ok);
    assert.equal(read.metadata.memoryLimitMiB, undefined);
    assert.equal(read.metadata.cpuLimitVcpu, Number(td.cpu) / 1024);
  });
});
