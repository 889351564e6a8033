import assert from "node:assert/strict";
import { ecsExecutionTrust, ecsTaskTrust, redshiftTrust } from "../../../infra/iam/trust.ts";

describe("trust", () => {
  it("lets only ECS tasks of this account and region assume the task role", () => {
    const [statement] = ecsTaskTrust({ accountId: "123456789012", region: "eu-west-1" });
    assert.deepEqual(statement?.principal, { type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] });
    assert.deepEqual(statement?.conditions, [
      { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:ecs:eu-west-1:123456789012:*"] },
      { test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] },
    ]);
  });

  it("lets ECS assume the execution role", () => {
    assert.deepEqual(ecsExecutionTrust().map((s) => s.principal), [{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }]);
  });

  it("lets Redshift Serverless assume the COPY role under both of its service principals", () => {
    assert.deepEqual(redshiftTrust().map((s) => s.principal), [
      { type: "Service", identifiers: ["redshift-serverless.amazonaws.com", "redshift.amazonaws.com"] },
    ]);
  });

  it("only ever allows sts:AssumeRole", () => {
    for (const statement of [...ecsTaskTrust({ accountId: "1", region: "r" }), ...ecsExecutionTrust(), ...redshiftTrust()]) {
      assert.deepEqual(statement.actions, ["sts:AssumeRole"]);
    }
  });
});
