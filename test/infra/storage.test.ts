import assert from "node:assert/strict";
import { parsePolicyDocument } from "../../infra/iam/policy-document.ts";
import { bucketLifecycleRules } from "../../infra/storage-layout.ts";
import { loadProgram, oneResource } from "./support/pulumi-mocks.ts";

const types = {
  bucket: "aws:s3/bucket:Bucket",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
};

describe("Storage", () => {
  let bucketName: string;
  before(async () => {
    const { outputs } = await loadProgram();
    bucketName = outputs.bucketName as string;
  });

  it("creates one bucket, exported by name, that refuses to be destroyed with data in it", () => {
    const bucket = oneResource(types.bucket);
    assert.equal(bucket.state.bucket, bucketName);
    assert.equal(bucket.inputs.forceDestroy, false);
  });

  it("blocks every kind of public access", () => {
    const block = oneResource(types.publicAccessBlock);
    assert.equal(block.inputs.bucket, bucketName);
    for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(block.inputs[flag], true, flag);
  });

  it("turns ACLs off", () => {
    assert.deepEqual(oneResource(types.ownership).inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
  });

  it("encrypts every object by default", () => {
    const encryption = oneResource(types.encryption);
    assert.equal(encryption.inputs.bucket, bucketName);
    assert.deepEqual(encryption.inputs.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
  });

  it("keeps versions", () => {
    assert.deepEqual(oneResource(types.versioning).inputs.versioningConfiguration, { status: "Enabled" });
  });

  it("expires staging and old versions with the configured periods", () => {
    const lifecycle = oneResource(types.lifecycle);
    assert.equal(lifecycle.inputs.bucket, bucketName);
    assert.deepEqual(lifecycle.inputs.rules, bucketLifecycleRules({ outputPrefix: "runs/", stagingRetentionDays: 14, noncurrentVersionRetentionDays: 30 }));
  });

  it("denies every request made without TLS", () => {
    const policy = oneResource(types.policy);
    assert.equal(policy.inputs.bucket, bucketName);
    const statements = parsePolicyDocument(policy.inputs.policy);
    assert.ok(statements.every((s) => s.effect === "Deny"));
    const insecure = statements.find((s) => s.condition?.Bool?.["aws:SecureTransport"]);
    assert.deepEqual(insecure?.resources, [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`]);
    assert.equal(insecure?.principal, "*");
    assert.deepEqual(insecure?.condition, { Bool: { "aws:SecureTransport": ["false"] } });
  });
});
