import assert from "node:assert/strict";
import { parsePolicyDocument } from "../../infra/iam/policy-document.ts";
import { loadProgram, oneResource } from "./support/pulumi-mocks.ts";

describe("Warehouse", () => {
  let outputs: Record<string, unknown>;
  before(async () => ({ outputs } = await loadProgram()));

  const namespace = () => oneResource("aws:redshiftserverless/namespace:Namespace");
  const workgroup = () => oneResource("aws:redshiftserverless/workgroup:Workgroup");
  const copyRole = () => oneResource("aws:iam/role:Role", "cti-etl-warehouse-copy-role");

  it("creates the namespace with the configured database and a password only Secrets Manager knows", () => {
    assert.equal(namespace().inputs.namespaceName, "cti-etl-dev-ns");
    assert.equal(namespace().inputs.dbName, "cti");
    assert.equal(namespace().inputs.manageAdminPassword, true);
    assert.equal(namespace().inputs.adminUserPassword, undefined);
    assert.equal(namespace().inputs.adminUserPasswordWo, undefined);
    assert.match(String(outputs.redshiftAdminSecretArn), /^arn:aws:secretsmanager:/);
  });

  it("creates a workgroup that is not publicly accessible, in the private subnets, with enhanced VPC routing", () => {
    assert.equal(workgroup().inputs.workgroupName, outputs.workgroupName);
    assert.equal(workgroup().inputs.namespaceName, "cti-etl-dev-ns");
    assert.equal(workgroup().inputs.publiclyAccessible, false);
    assert.equal(workgroup().inputs.enhancedVpcRouting, true);
    assert.deepEqual(workgroup().inputs.subnetIds, outputs.subnetIds);
    assert.equal(workgroup().inputs.baseCapacity, 8);
  });

  it("puts the workgroup in its own security group, not the task's", () => {
    const groups = workgroup().inputs.securityGroupIds as string[];
    assert.equal(groups.length, 1);
    assert.equal(groups[0], oneResource("aws:ec2/securityGroup:SecurityGroup", "cti-etl-network-warehouse-sg").state.id);
    assert.notEqual(groups[0], outputs.securityGroupId);
  });

  it("requires TLS for connections", () => {
    assert.deepEqual(workgroup().inputs.configParameters, [{ parameterKey: "require_ssl", parameterValue: "true" }]);
  });

  it("associates the COPY role with the namespace", () => {
    assert.deepEqual(namespace().inputs.iamRoles, [copyRole().state.arn]);
    assert.equal(outputs.copyRoleArn, copyRole().state.arn);
  });

  it("lets Redshift assume the COPY role and read only the staging prefix with it", () => {
    const trust = parsePolicyDocument(copyRole().inputs.assumeRolePolicy);
    assert.deepEqual(trust.map((s) => s.principal), [{ Service: ["redshift-serverless.amazonaws.com", "redshift.amazonaws.com"] }]);
    const policy = oneResource("aws:iam/rolePolicy:RolePolicy", "cti-etl-warehouse-copy-policy");
    assert.equal(policy.inputs.role, copyRole().state.id);
    const statements = parsePolicyDocument(policy.inputs.policy);
    const bucket = `arn:aws:s3:::${String(outputs.bucketName)}`;
    assert.deepEqual(statements.flatMap((s) => s.actions).sort(), ["s3:GetObject", "s3:ListBucket"]);
    assert.deepEqual(statements.flatMap((s) => s.resources).sort(), [bucket, `${bucket}/runs/*`]);
    assert.deepEqual(statements.find((s) => s.actions.includes("s3:ListBucket"))?.condition, { StringLike: { "s3:prefix": ["runs/*"] } });
  });
});
