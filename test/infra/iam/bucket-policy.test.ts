import assert from "node:assert/strict";
import { tlsOnlyBucketStatements } from "../../../infra/iam/bucket-policy.ts";

describe("tlsOnlyBucketStatements", () => {
  const statements = tlsOnlyBucketStatements("arn:aws:s3:::cti-data");

  it("only denies, never allows", () => {
    assert.ok(statements.every((s) => s.effect === "Deny"));
  });

  it("denies everyone any request without TLS, on the bucket and its objects", () => {
    const insecure = statements.find((s) => s.conditions?.some((c) => c.variable === "aws:SecureTransport"));
    assert.deepEqual(insecure?.principal, { type: "*" });
    assert.deepEqual(insecure?.resources, ["arn:aws:s3:::cti-data", "arn:aws:s3:::cti-data/*"]);
    assert.deepEqual(insecure?.conditions, [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }]);
  });

  it("denies TLS older than 1.2", () => {
    const outdated = statements.find((s) => s.conditions?.some((c) => c.variable === "s3:TlsVersion"));
    assert.deepEqual(outdated?.conditions, [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }]);
  });
});
