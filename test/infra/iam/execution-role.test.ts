import assert from "node:assert/strict";
import { executionRoleStatements } from "../../../infra/iam/execution-role.ts";

const repositoryArn = "arn:aws:ecr:us-east-1:123456789012:repository/task";
const logGroupArn = "arn:aws:logs:us-east-1:123456789012:log-group:/cti-etl/dev/task";

describe("executionRoleStatements", () => {
  const statements = executionRoleStatements({ repositoryArn, logGroupArn });

  it("pulls images from this repository only", () => {
    const pull = statements.filter((s) => s.actions.some((a) => a.startsWith("ecr:") && a !== "ecr:GetAuthorizationToken"));
    assert.deepEqual(pull.flatMap((s) => s.resources), [repositoryArn]);
    assert.deepEqual(pull.flatMap((s) => s.actions).sort(), ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]);
  });

  it("writes logs to this log group's streams only", () => {
    const logs = statements.filter((s) => s.actions.some((a) => a.startsWith("logs:")));
    assert.deepEqual(logs.flatMap((s) => s.actions).sort(), ["logs:CreateLogStream", "logs:PutLogEvents"]);
    assert.deepEqual(logs.flatMap((s) => s.resources), [logGroupArn, `${logGroupArn}:log-stream:*`]);
  });

  it("accepts a log group ARN with the legacy ':*' suffix", () => {
    const [, , logs] = executionRoleStatements({ repositoryArn, logGroupArn: `${logGroupArn}:*` });
    assert.deepEqual(logs?.resources, [logGroupArn, `${logGroupArn}:log-stream:*`]);
  });

  it("grants the registry token on '*' alone, because AWS offers no narrower resource", () => {
    const wildcard = statements.filter((s) => s.resources?.includes("*"));
    assert.deepEqual(wildcard.map((s) => s.actions), [["ecr:GetAuthorizationToken"]]);
  });

  it("reads no secret unless the container has some, and then exactly those", () => {
    assert.equal(statements.some((s) => s.actions.some((a) => a.startsWith("secretsmanager:"))), false);
    const arns = ["arn:aws:secretsmanager:us-east-1:123456789012:secret:b-AbC123", "arn:aws:secretsmanager:us-east-1:123456789012:secret:a-XyZ789"];
    const read = executionRoleStatements({ repositoryArn, logGroupArn, secretArns: [...arns, arns[0]!] }).filter((s) => s.actions.some((a) => a.startsWith("secretsmanager:")));
    assert.deepEqual(read.map((s) => [s.actions, s.resources]), [[["secretsmanager:GetSecretValue"], [...arns].sort()]]);
  });
});
