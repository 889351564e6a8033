import assert from "node:assert/strict";
import { copyRoleStatements } from "../../../infra/iam/copy-role.ts";

describe("copyRoleStatements", () => {
  const statements = copyRoleStatements({ bucketArn: "arn:aws:s3:::cti-data", stagingPrefix: "runs/" });

  it("reads objects under the staging prefix only", () => {
    assert.deepEqual(statements.find((s) => s.actions.includes("s3:GetObject"))?.resources, ["arn:aws:s3:::cti-data/runs/*"]);
  });

  it("lists the bucket only under the staging prefix", () => {
    const list = statements.find((s) => s.actions.includes("s3:ListBucket"));
    assert.deepEqual(list?.resources, ["arn:aws:s3:::cti-data"]);
    assert.deepEqual(list?.conditions, [{ test: "StringLike", variable: "s3:prefix", values: ["runs/*"] }]);
  });

  it("never writes or deletes", () => {
    assert.deepEqual(statements.flatMap((s) => s.actions).sort(), ["s3:GetObject", "s3:ListBucket"]);
  });
});
