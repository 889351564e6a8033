/**
 * The COPY role (`copy-role.ts`) and its trust (`trust.ts`) as the program renders them,
 * evaluated by an IAM simulator with the bucket policy: Redshift reads the staging prefix
 * (`runs/`) and nothing else.
 */
import assert from "node:assert/strict";
import { type AccessRequest, assertAccess } from "../support/iam-simulator.ts";
import { loadProgram, programTask, type RecordedResource } from "../support/pulumi-mocks.ts";
import { renderedPolicies, type RenderedPolicies } from "../support/rendered-policies.ts";

const overTls = { "aws:SecureTransport": "true", "s3:TlsVersion": "1.2" };

describe("COPY role, simulated", () => {
  let policies: RenderedPolicies;
  let copyRoleArn: string;
  let bucketArn: string;
  let inputPrefix: string;
  let stagingPrefix: string;
  before(async () => {
    const { resources } = await loadProgram();
    policies = renderedPolicies(resources);
    const ofType = (type: string) => resources.filter((r: RecordedResource) => r.type === type);
    const env = programTask(resources).environment;
    copyRoleArn = env.CTI_REDSHIFT_COPY_ROLE_ARN!;
    const [namespace] = ofType("aws:redshiftserverless/namespace:Namespace");
    assert.deepEqual(namespace!.inputs.iamRoles, [copyRoleArn], "the namespace holds the role the task names in COPY");
    const [, bucket, output] = /^s3:\/\/([^/]+)\/(.*)$/.exec(env.CTI_OUTPUT!)!;
    bucketArn = String(ofType("aws:s3/bucket:Bucket").find((b) => b.state.bucket === bucket)!.state.arn);
    stagingPrefix = output!;
    inputPrefix = /^s3:\/\/[^/]+\/(.*)$/.exec(env.CTI_INPUT!)![1]!;
  });
  const asCopy = (action: string, resource: string, context: AccessRequest["context"] = overTls): AccessRequest => ({ principal: copyRoleArn, action, resource, context });

  it("lists and reads the staged parts and manifests under the staging prefix", async () => {
    await assertAccess(policies, asCopy("s3:ListBucket", bucketArn, { ...overTls, "s3:prefix": `${stagingPrefix}run-1/clean/part-` }), "Allowed");
    await assertAccess(policies, asCopy("s3:GetObject", `${bucketArn}/${stagingPrefix}run-1/clean/part-00001.csv`), "Allowed");
    await assertAccess(policies, asCopy("s3:GetObject", `${bucketArn}/${stagingPrefix}run-1/manifest.json`), "Allowed");
  });

  it("reads nothing outside the staging prefix, and no other bucket", async () => {
    await assertAccess(policies, asCopy("s3:GetObject", `${bucketArn}/${inputPrefix}feed.csv`), "Denied");
    await assertAccess(policies, asCopy("s3:ListBucket", bucketArn, { ...overTls, "s3:prefix": inputPrefix }), "Denied");
    await assertAccess(policies, asCopy("s3:ListBucket", bucketArn, { ...overTls, "s3:prefix": "" }), "Denied");
    await assertAccess(policies, asCopy("s3:GetObject", `${bucketArn}-other/${stagingPrefix}run-1/clean/part-00001.csv`), "Denied");
  });

  it("writes and deletes nothing, even under the staging prefix", async () => {
    for (const action of ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]) {
      await assertAccess(policies, asCopy(action, `${bucketArn}/${stagingPrefix}run-1/clean/part-00001.csv`), "Denied");
    }
  });

  it("is refused by the bucket policy without TLS", async () => {
    await assertAccess(policies, asCopy("s3:GetObject", `${bucketArn}/${stagingPrefix}run-1/clean/part-00001.csv`, { "aws:SecureTransport": "false" }), "ExplicitlyDenied");
  });

  it("is assumed by Redshift (provisioned and Serverless), not by ECS tasks", async () => {
    for (const service of ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"]) {
      await assertAccess(policies, { principal: service, action: "sts:AssumeRole", resource: copyRoleArn }, "Allowed");
    }
    await assertAccess(policies, { principal: "ecs-tasks.amazonaws.com", action: "sts:AssumeRole", resource: copyRoleArn }, "Denied");
  });
});
