import assert from "node:assert/strict";
import { parseTaskMetadata, taskMetadataUrl } from "../../../task/src/observability/ecs-metadata.ts";
import { fargateTaskResponse } from "./support/ecs-task-response.ts";

describe("parseTaskMetadata", () => {
  it("takes the task ARN, family, revision and the task-level limits of a Fargate response", () => {
    assert.deepEqual(parseTaskMetadata(fargateTaskResponse), {
      ok: true,
      metadata: {
        taskArn: "arn:aws:ecs:us-east-1:123456789012:task/cti-etl-prod/0123456789abcdef0123456789abcdef",
        cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/cti-etl-prod",
        family: "cti-etl-prod",
        revision: "7",
        cpuLimitVcpu: 0.25,
        memoryLimitMiB: 512,
        availabilityZone: "us-east-1a",
        launchType: "FARGATE",
      },
    });
  });

  it("leaves the limits out when the task sets none", () => {
    const { Limits: _limits, ...withoutLimits } = fargateTaskResponse;
    const parsed = parseTaskMetadata(withoutLimits);
    assert.ok(parsed.ok);
    assert.equal(parsed.metadata.cpuLimitVcpu, undefined);
    assert.equal(parsed.metadata.memoryLimitMiB, undefined);
  });

  it("ignores a zero or negative limit", () => {
    const parsed = parseTaskMetadata({ ...fargateTaskResponse, Limits: { CPU: 0, Memory: -1 } });
    assert.ok(parsed.ok);
    assert.equal(parsed.metadata.cpuLimitVcpu, undefined);
  });

  it("refuses a body that is not a task description", () => {
    for (const body of [null, [], {}, { TaskARN: "not-an-arn" }, { TaskARN: 3 }]) {
      const parsed = parseTaskMetadata(body);
      assert.equal(parsed.ok, false, JSON.stringify(body));
      if (!parsed.ok) assert.match(parsed.problem, /not an ECS task metadata response/);
    }
  });
});

describe("taskMetadataUrl", () => {
  it("appends /task to the endpoint, with or without a trailing slash", () => {
    assert.equal(taskMetadataUrl("http://169.254.170.2/v4/abc-123"), "http://169.254.170.2/v4/abc-123/task");
    assert.equal(taskMetadataUrl("http://169.254.170.2/v4/abc-123/"), "http://169.254.170.2/v4/abc-123/task");
  });
});
