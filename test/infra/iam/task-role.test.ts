import assert from "node:assert/strict";
import { taskIamActions } from "../../../task/src/iam-actions.ts";
import { isUnscopable } from "../../../infra/iam/unscopable-actions.ts";
import { taskRoleStatements } from "../../../infra/iam/task-role.ts";
import { adapterActions } from "../support/adapter-actions.ts";

const scope = {
  bucketArn: "arn:aws:s3:::cti-data",
  inputPrefix: "input/",
  outputPrefix: "runs/",
  workgroupArn: "arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/0000",
};


describe("taskRoleStatements", () => {
  const statements = taskRoleStatements(scope);
  const on = (sid: string) => statements.find((s) => s.sid === sid);

  it("grants exactly the actions the task's adapters call, nothing more", () => {
    assert.deepEqual([...new Set(statements.flatMap((s) => s.actions))].sort(), adapterActions());
  });

  it("reads input objects only under the input prefix", () => {
    assert.deepEqual(on("ReadInput")?.resources, ["arn:aws:s3:::cti-data/input/*"]);
    assert.deepEqual(on("ReadInput")?.actions, ["s3:GetObject"]);
  });

  it("writes only under the output prefix", () => {
    const writers = statements.filter((s) => s.actions.some((a) => a === "s3:PutObject" || a === "s3:AbortMultipartUpload"));
    assert.deepEqual(writers.flatMap((s) => s.resources), ["arn:aws:s3:::cti-data/runs/*", "arn:aws:s3:::cti-data/runs/_lease/lease.json"]);
  });

  it("reads, writes and deletes the run lease on exactly its key, and deletes nothing else", () => {
    assert.deepEqual(on("HoldRunLease")?.actions, ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]);
    assert.deepEqual(on("HoldRunLease")?.resources, ["arn:aws:s3:::cti-data/runs/_lease/lease.json"]);
    const deleting = statements.filter((s) => s.actions.includes("s3:DeleteObject"));
    assert.deepEqual(deleting.map((s) => s.sid), ["HoldRunLease"]);
  });

  it("lists the bucket only for the input and output prefixes", () => {
    const listings = statements.filter((s) => s.actions.includes("s3:ListBucket"));
    assert.deepEqual(
      listings.map((s) => [s.resources, s.conditions]),
      [
        [["arn:aws:s3:::cti-data"], [{ test: "StringLike", variable: "s3:prefix", values: ["input/*"] }]],
        [["arn:aws:s3:::cti-data"], [{ test: "StringLike", variable: "s3:prefix", values: ["runs/*"] }]],
      ],
    );
  });

  it("runs statements and gets credentials on this workgroup only", () => {
    for (const action of [...taskIamActions.redshiftData.workgroup, ...taskIamActions.redshiftServerless.workgroup]) {
      const granting = statements.filter((s) => s.actions.includes(action));
      assert.deepEqual(granting.flatMap((s) => s.resources), [scope.workgroupArn], action);
    }
  });

  it("uses Resource '*' only for actions without a resource type, and only for the caller's own statements", () => {
    for (const statement of statements.filter((s) => s.resources?.includes("*"))) {
      assert.ok(statement.actions.every(isUnscopable), statement.sid);
      assert.deepEqual(statement.conditions, [
        { test: "StringEquals", variable: "redshift-data:statement-owner-iam-userid", values: ["${aws:userid}"] },
      ]);
    }
  });
});
