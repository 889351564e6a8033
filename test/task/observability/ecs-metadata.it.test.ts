import assert from "node:assert/strict";
import { readTaskMetadata } from "../../../task/src/observability/ecs-metadata.ts";
import { refusedUrl, startHttpStub, type HttpStub } from "../../support/http-stub.ts";
import { fargateTaskResponse } from "./support/ecs-task-response.ts";

const policy = { maxAttempts: 3, attemptTimeoutMs: 300, baseDelayMs: 1, maxDelayMs: 5 };

describe("readTaskMetadata (against a local metadata endpoint)", () => {
  let stub: HttpStub;
  before(async () => (stub = await startHttpStub()));
  after(() => stub.stop());
  beforeEach(() => stub.reset());

  it("GETs ${ECS_CONTAINER_METADATA_URI_V4}/task and reads the task ARN and limits", async () => {
    stub.route("GET", "/v4/abc-123/task", { body: fargateTaskResponse });
    const read = await readTaskMetadata(`${stub.url}/v4/abc-123`, { policy });
    assert.ok(read.ok);
    assert.equal(read.metadata.taskArn, fargateTaskResponse.TaskARN);
    assert.equal(read.metadata.cpuLimitVcpu, 0.25);
    assert.equal(read.metadata.memoryLimitMiB, 512);
    assert.deepEqual(stub.requests.map((r) => `${r.method} ${r.url}`), ["GET /v4/abc-123/task"]);
  });

  it("retries an endpoint that fails right after the container starts", async () => {
    stub.route("GET", "/v4/abc-123/task", { status: 500 }, { hangUp: true }, { body: fargateTaskResponse });
    const read = await readTaskMetadata(`${stub.url}/v4/abc-123`, { policy });
    assert.ok(read.ok);
    assert.equal(stub.requests.length, 3);
  });

  it("says what went wrong when the endpoint is down, instead of throwing", async () => {
    const read = await readTaskMetadata(`${await refusedUrl()}/v4/abc-123`, { policy });
    assert.equal(read.ok, false);
    assert.match(!read.ok ? read.problem : "", /task metadata endpoint: .*ECONNREFUSED.*after 3 attempts/);
  });

  it("says what went wrong when the answer is not a task description", async () => {
    stub.route("GET", "/v4/x/task", { body: "<html>" });
    const read = await readTaskMetadata(`${stub.url}/v4/x`, { policy });
    assert.deepEqual(read, { ok: false, problem: "task metadata endpoint: the response is not JSON" });
  });
});
