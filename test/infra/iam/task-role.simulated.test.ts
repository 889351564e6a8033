/**
 * The task role (`task-role.ts`) and the bucket policy (`bucket-policy.ts`) as the program
 * renders them, evaluated together by an IAM simulator: every call the task's adapters make
 * (`task/src/iam-actions.ts`) is allowed where the job makes it and refused elsewhere.
 */
import assert from "node:assert/strict";
import { taskIamActions } from "../../../task/src/iam-actions.ts";
import { leaseKey } from "../../../task/src/lease/lease-key.ts";
import { type AccessRequest, assertAccess, roleUserId } from "../support/iam-simulator.ts";
import { loadProgram, programTask, type RecordedResource } from "../support/pulumi-mocks.ts";
import { type RenderedPolicies, renderedPolicies } from "../support/rendered-policies.ts";

/** S3 requests over TLS 1.3, as the AWS SDK makes them. */
const overTls = { "aws:SecureTransport": "true", "s3:TlsVersion": "1.3" };

describe("task role, simulated", () => {
  let policies: RenderedPolicies;
  let taskRoleArn: string;
  let bucketArn: string;
  let inputPrefix: string;
  let outputPrefix: string;
  let workgroupArn: string;
  let clusterArn: string;
  let adminSecretArn: string;
  before(async () => {
    const { resources } = await loadProgram();
    policies = renderedPolicies(resources);
    const ofType = (type: string) => resources.filter((r: RecordedResource) => r.type === type);
    const { definition, environment: env } = programTask(resources);
    taskRoleArn = String(definition.inputs.taskRoleArn);
    const [input, output] = [env.CTI_INPUT!, env.CTI_OUTPUT!].map((uri) => /^s3:\/\/([^/]+)\/(.*)$/.exec(uri)!);
    assert.equal(input![1], output![1], "input and output in one bucket");
    const bucket = ofType("aws:s3/bucket:Bucket").find((b) => b.state.bucket === input![1]);
    assert.ok(bucket, "the task's bucket is the program's");
    bucketArn = String(bucket.state.arn);
    [inputPrefix, outputPrefix] = [input![2]!, output![2]!];
    const workgroup = ofType("aws:redshiftserverless/workgroup:Workgroup").find((w) => w.inputs.workgroupName === env.CTI_REDSHIFT_WORKGROUP);
    assert.ok(workgroup, "the task's workgroup is the program's");
    workgroupArn = String(workgroup.state.arn);
    clusterArn = String(ofType("aws:ecs/cluster:Cluster")[0]!.state.arn);
    adminSecretArn = String(ofType("aws:redshiftserverless/namespace:Namespace")[0]!.state.adminPasswordSecretArn);
  });

  const asTask = (action: string, resource: string, context: AccessRequest["context"] = {}): AccessRequest => ({ principal: taskRoleArn, action, resource, context });
  const object = (key: string) => `${bucketArn}/${key}`;
  const ownStatement = () => ({ "redshift-data:statement-owner-iam-userid": roleUserId(policies.roles.get(taskRoleArn)!.name) });

  /**
   * Where each group of the adapters' actions is used, as requests: one per group of
   * `taskIamActions`, so an adapter's new group of calls needs a line here.
   */
  const usedAt: Record<string, Record<string, () => AccessRequest[]>> = {
    s3Input: {
      bucket: () => [asTask("s3:ListBucket", bucketArn, { ...overTls, "s3:prefix": inputPrefix }), asTask("s3:ListBucket", bucketArn, { ...overTls, "s3:prefix": `${inputPrefix}2026/12/` })],
      objects: () => [asTask("s3:GetObject", object(`${inputPrefix}2026/12/feed.csv`), overTls)],
    },
    s3Output: {
      bucket: () => [asTask("s3:ListBucket", bucketArn, { ...overTls, "s3:prefix": `${outputPrefix}run-1/` })],
      objects: () => ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"].map((a) => asTask(a, object(`${outputPrefix}run-1/clean/part-00001.csv`), overTls)),
    },
    s3Lease: { objects: () => ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"].map((a) => asTask(a, object(leaseKey(outputPrefix)), overTls)) },
    redshiftData: {
      workgroup: () => ["redshift-data:ExecuteStatement", "redshift-data:BatchExecuteStatement"].map((a) => asTask(a, workgroupArn)),
      statements: () => ["redshift-data:DescribeStatement", "redshift-data:GetStatementResult", "redshift-data:CancelStatement"].map((a) => asTask(a, "*", ownStatement())),
    },
    redshiftServerless: { workgroup: () => [asTask("redshift-serverless:GetCredentials", workgroupArn)] },
  };

  it("has a use for every group of the adapters' actions, covering each action", () => {
    for (const [group, byResource] of Object.entries(taskIamActions)) {
      for (const [resource, actions] of Object.entries(byResource)) {
        const requests = usedAt[group]?.[resource]?.();
        assert.ok(requests, `no requests for taskIamActions.${group}.${resource}: add where the adapter calls it`);
        assert.deepEqual([...new Set(requests.map((r) => r.action))].sort(), [...actions].sort(), `${group}.${resource}`);
      }
    }
  });

  it("allows every call the adapters make, where they make it", async () => {
    for (const byResource of Object.values(usedAt)) for (const requests of Object.values(byResource)) for (const request of requests()) await assertAccess(policies, request, "Allowed");
  });

  it("reads the input prefix but never writes or deletes there", async () => {
    for (const action of ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]) await assertAccess(policies, asTask(action, object(`${inputPrefix}feed.csv`), overTls), "Denied");
  });

  it("never deletes a run's output, only the lease", async () => {
    await assertAccess(policies, asTask("s3:DeleteObject", object(`${outputPrefix}run-1/clean/part-00001.csv`), overTls), "Denied");
    await assertAccess(policies, asTask("s3:DeleteObject", object(`${outputPrefix}run-1/_lease/lease.json`), overTls), "Denied");
  });

  it("lists and reads nothing outside its prefixes, and no other bucket", async () => {
    for (const prefix of ["", "other/", inputPrefix.slice(0, -1)]) await assertAccess(policies, asTask("s3:ListBucket", bucketArn, { ...overTls, "s3:prefix": prefix }), "Denied");
    await assertAccess(policies, asTask("s3:ListBucket", bucketArn, overTls), "Denied");
    await assertAccess(policies, asTask("s3:GetObject", object("other/secret.csv"), overTls), "Denied");
    await assertAccess(policies, asTask("s3:GetObject", `${bucketArn}-other/${inputPrefix}feed.csv`, overTls), "Denied");
    await assertAccess(policies, asTask("s3:PutObject", `${bucketArn}-other/${outputPrefix}x`, overTls), "Denied");
  });

  it("is refused by the bucket policy without TLS, or over TLS older than 1.2", async () => {
    const read = object(`${inputPrefix}feed.csv`);
    await assertAccess(policies, asTask("s3:GetObject", read, { "aws:SecureTransport": "false" }), "ExplicitlyDenied");
    await assertAccess(policies, asTask("s3:GetObject", read, { "aws:SecureTransport": "true", "s3:TlsVersion": "1.1" }), "ExplicitlyDenied");
    await assertAccess(policies, asTask("s3:PutObject", object(leaseKey(outputPrefix)), { "aws:SecureTransport": "false" }), "ExplicitlyDenied");
  });

  it("runs statements on its workgroup only, and follows only its own statements", async () => {
    for (const action of ["redshift-data:ExecuteStatement", "redshift-data:BatchExecuteStatement", "redshift-serverless:GetCredentials"]) {
      await assertAccess(policies, asTask(action, `${workgroupArn}-other`), "Denied");
    }
    for (const action of ["redshift-data:DescribeStatement", "redshift-data:GetStatementResult", "redshift-data:CancelStatement"]) {
      await assertAccess(policies, asTask(action, "*", { "redshift-data:statement-owner-iam-userid": "AROAOTHERROLE:someone-else" }), "Denied");
    }
  });

  it("cannot administer the warehouse or read its admin secret", async () => {
    await assertAccess(policies, asTask("redshift-serverless:DeleteWorkgroup", workgroupArn), "Denied");
    await assertAccess(policies, asTask("redshift-data:ListStatements", "*"), "Denied");
    await assertAccess(policies, asTask("secretsmanager:GetSecretValue", adminSecretArn), "Denied");
  });

  it("is assumed by ECS tasks of this account only", async () => {
    const [account, region] = [clusterArn.split(":")[4]!, clusterArn.split(":")[3]!];
    // ECS assumes the role for a task: arn:<partition>:ecs:<region>:<account>:task/<cluster>/<id>.
    const task = `${clusterArn.replace(":cluster/", ":task/")}/0123456789abcdef0123456789abcdef`;
    const assume = (principal: string, context: Record<string, string>) => ({ principal, action: "sts:AssumeRole", resource: taskRoleArn, context });
    await assertAccess(policies, assume("ecs-tasks.amazonaws.com", { "aws:SourceArn": task, "aws:SourceAccount": account }), "Allowed");
    const foreign = task.replace(`:${account}:`, ":210987654321:");
    await assertAccess(policies, assume("ecs-tasks.amazonaws.com", { "aws:SourceArn": foreign, "aws:SourceAccount": "210987654321" }), "Denied");
    await assertAccess(policies, assume("ecs-tasks.amazonaws.com", { "aws:SourceArn": task.replace(`:${region}:`, ":eu-west-3:"), "aws:SourceAccount": account }), "Denied");
    await assertAccess(policies, assume("ecs-tasks.amazonaws.com", {}), "Denied");
    await assertAccess(policies, assume("lambda.amazonaws.com", { "aws:SourceArn": task, "aws:SourceAccount": account }), "Denied");
  });
});
