import assert from "node:assert/strict";
import { renderPolicyDocument } from "../../../infra/iam/policy-document.ts";
import { tlsOnlyBucketStatements } from "../../../infra/iam/bucket-policy.ts";
import { actionProblem, decide, simulateAccess } from "./iam-simulator.ts";
import type { RecordedResource } from "./pulumi-mocks.ts";
import { renderedPolicies } from "./rendered-policies.ts";

const account = "123456789012";
const resource = (type: string, name: string, inputs: Record<string, unknown>, state: Record<string, unknown> = {}): RecordedResource => ({
  type,
  name,
  inputs,
  state: { ...state, ...inputs },
  custom: true,
});
const roleArn = `arn:aws:iam::${account}:role/reader-1a2b3c`;
const bucketArn = "arn:aws:s3:::data-bucket";
const world = [
  resource("aws:iam/role:Role", "reader", { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }, { id: "reader-1a2b3c", name: "reader-1a2b3c", arn: roleArn }),
  resource("aws:iam/rolePolicy:RolePolicy", "reader-policy", {
    role: "reader-1a2b3c",
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `${bucketArn}/in/*` }] }),
  }),
  resource("aws:s3/bucket:Bucket", "bucket", {}, { id: "data-bucket", bucket: "data-bucket", arn: bucketArn }),
  resource("aws:s3/bucketPolicy:BucketPolicy", "bucket-policy", { bucket: "data-bucket", policy: renderPolicyDocument(tlsOnlyBucketStatements(bucketArn)) }),
];

describe("iam-simulator (test support)", () => {
  describe("renderedPolicies", () => {
    it("attaches a role policy to its role and a bucket policy to the bucket's objects", async () => {
      const policies = renderedPolicies(world);
      assert.equal(policies.roles.get(roleArn)?.identityPolicies.length, 1);
      assert.equal(await decide(policies, { principal: roleArn, action: "s3:GetObject", resource: `${bucketArn}/in/a.csv`, context: { "aws:SecureTransport": "true" } }), "Allowed");
      assert.equal(await decide(policies, { principal: roleArn, action: "s3:GetObject", resource: `${bucketArn}/in/a.csv`, context: { "aws:SecureTransport": "false" } }), "ExplicitlyDenied");
      assert.equal(await decide(policies, { principal: roleArn, action: "s3:GetObject", resource: `${bucketArn}/out/a.csv`, context: { "aws:SecureTransport": "true" } }), "ImplicitlyDenied");
    });

    it("refuses a role policy whose role the program did not register", () => {
      const stray = resource("aws:iam/rolePolicy:RolePolicy", "stray", { role: "nobody", policy: "{\"Statement\":[]}" });
      assert.throws(() => renderedPolicies([...world, stray]), /names role "nobody"/);
    });

    it("refuses an attached policy whose text the program does not hold (an AWS managed policy)", () => {
      const attachment = resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "managed", { role: "reader-1a2b3c", policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" });
      assert.throws(() => renderedPolicies([...world, attachment]), /does not render/);
    });

    it("refuses a second policy on one resource", () => {
      const again = resource("aws:s3/bucketPolicy:BucketPolicy", "bucket-policy-2", { bucket: "data-bucket", policy: renderPolicyDocument(tlsOnlyBucketStatements(bucketArn)) });
      assert.throws(() => renderedPolicies([...world, again]), /already has a policy/);
    });
  });

  describe("simulateAccess", () => {
    it("throws on an action AWS does not publish rather than denying it", async () => {
      await assert.rejects(simulateAccess(renderedPolicies(world), { principal: roleArn, action: "s3:GetObjekt", resource: `${bucketArn}/in/a.csv` }), /invalid\.action/);
    });

    it("throws when a context key does not apply to the action, since the simulator would drop it", async () => {
      await assert.rejects(
        simulateAccess(renderedPolicies(world), { principal: roleArn, action: "s3:GetObject", resource: `${bucketArn}/in/a.csv`, context: { "sns:Protocol": "email" } }),
        /ignores context keys.*sns:Protocol/,
      );
    });

    it("throws for a principal that is neither a service nor a role of the program", async () => {
      await assert.rejects(simulateAccess(renderedPolicies(world), { principal: `arn:aws:iam::${account}:role/other`, action: "s3:GetObject", resource: `${bucketArn}/in/a.csv` }), /neither a service principal nor a role/);
    });
  });

  describe("actionProblem", () => {
    it("accepts published actions and wildcards that match one", async () => {
      for (const action of ["s3:GetObject", "S3:getobject", "kms:GenerateDataKey*", "kms:*", "ecr:Get*", "*"]) assert.equal(await actionProblem(action), undefined, action);
    });

    it("names a misspelt action, an unknown service, a wildcard that matches nothing and a malformed name", async () => {
      assert.match((await actionProblem("s3:GetObjekt"))!, /no action GetObjekt/);
      assert.match((await actionProblem("s4:GetObject"))!, /no service prefix s4/);
      assert.match((await actionProblem("kms:Generate*Keyz"))!, /matches no kms action/);
      assert.match((await actionProblem("s3GetObject"))!, /not <service>:<action>/);
      assert.match((await actionProblem("s3:Get:Object"))!, /not <service>:<action>/);
    });
  });
});
