import assert from "node:assert/strict";
import {
  bucketsHaveEncryption,
  bucketsHavePublicAccessBlock,
  bucketsRequireTls,
  type Props,
  resourceRules,
  resourceViolations,
  type StackResource,
  stackRules,
  stackViolations,
} from "../../policy/rules.ts";
import { loadProgram, type RecordedResource } from "../infra/support/pulumi-mocks.ts";

/** A recorded resource as the pack sees it in stack validation (props = outputs). */
function asStackResource(resource: RecordedResource): StackResource {
  return { type: resource.type, urn: `urn:pulumi:dev::cti-etl::${resource.type}::${resource.name}`, props: resource.state };
}

function first(resources: readonly RecordedResource[], type: string): RecordedResource {
  const found = resources.find((r) => r.type === type);
  if (!found) throw new Error(`no ${type} recorded`);
  return found;
}

/** Violations of a recorded resource after changing some of its inputs. */
function violationsWith(resource: RecordedResource, change: Props): string[] {
  return resourceViolations(resource.type, { ...resource.inputs, ...change });
}

/** A policy document with one extra Allow statement. */
function withStatement(policy: unknown, statement: Record<string, unknown>): string {
  const document = JSON.parse(String(policy)) as { Statement: unknown[] };
  return JSON.stringify({ ...document, Statement: [...document.Statement, statement] });
}

describe("policy rules", () => {
  let resources: readonly RecordedResource[];
  before(async () => ({ resources } = await loadProgram()));

  describe("on the program", () => {
    it("finds no violation on any resource the mocks recorded", () => {
      const violations = resources.flatMap((r) => resourceViolations(r.type, r.inputs).map((v) => `${r.type} ${r.name}: ${v}`));
      assert.deepEqual(violations, []);
    });

    it("finds no violation on the stack as a whole", () => {
      assert.deepEqual(stackViolations(resources.map(asStackResource)), []);
    });

    it("has rules that apply to the program's resources", () => {
      const applied = new Set(resources.map((r) => r.type));
      for (const type of [
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:redshiftserverless/workgroup:Workgroup",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:ecs/taskDefinition:TaskDefinition",
      ]) {
        assert.ok(applied.has(type), type);
      }
    });
  });

  describe("s3-no-public-access", () => {
    it("flags a public access block with any setting off", () => {
      const block = first(resources, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
      assert.deepEqual(violationsWith(block, { blockPublicPolicy: false, restrictPublicBuckets: false }), [
        "s3-no-public-access: public access block leaves blockPublicPolicy, restrictPublicBuckets off",
      ]);
    });

    it("flags a bucket with a public ACL", () => {
      const bucket = first(resources, "aws:s3/bucket:Bucket");
      assert.deepEqual(violationsWith(bucket, { acl: "public-read" }), ['s3-no-public-access: bucket ACL "public-read" makes it public']);
    });

    it("flags a bucket policy that allows everyone", () => {
      const policy = first(resources, "aws:s3/bucketPolicy:BucketPolicy");
      const open = withStatement(policy.inputs.policy, { Sid: "Open", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" });
      assert.deepEqual(violationsWith(policy, { policy: open }), ['s3-no-public-access: bucket policy statement Open allows everyone (Principal "*")']);
    });
  });

  describe("s3-default-encryption", () => {
    const type = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";

    it("flags an encryption configuration without a default rule", () => {
      assert.deepEqual(violationsWith(first(resources, type), { rules: [] }), ["s3-default-encryption: encryption configuration has no default encryption rule"]);
    });

    it("flags an algorithm S3 does not apply", () => {
      const rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "none" } }];
      assert.equal(violationsWith(first(resources, type), { rules }).length, 1);
    });
  });

  describe("no-public-ingress", () => {
    it("flags an ingress rule from 0.0.0.0/0 or ::/0", () => {
      const rule = first(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
      const { referencedSecurityGroupId: _peer, ...withoutPeer } = rule.inputs;
      const open = { ...rule, inputs: withoutPeer };
      assert.deepEqual(violationsWith(open, { cidrIpv4: "0.0.0.0/0" }), ["no-public-ingress: ingress rule allows 0.0.0.0/0"]);
      assert.deepEqual(violationsWith(open, { cidrIpv6: "::/0" }), ["no-public-ingress: ingress rule allows ::/0"]);
    });

    it("flags inline ingress from anywhere on a security group", () => {
      const group = first(resources, "aws:ec2/securityGroup:SecurityGroup");
      const ingress = [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }];
      assert.deepEqual(violationsWith(group, { ingress }), ["no-public-ingress: inline ingress rule allows 0.0.0.0/0"]);
    });

    it("does not mind egress to anywhere", () => {
      assert.deepEqual(resourceViolations("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", { cidrIpv4: "0.0.0.0/0" }), []);
    });
  });

  describe("redshift-not-public", () => {
    it("flags a publicly accessible workgroup", () => {
      const workgroup = first(resources, "aws:redshiftserverless/workgroup:Workgroup");
      assert.deepEqual(violationsWith(workgroup, { publiclyAccessible: true }), ["redshift-not-public: publiclyAccessible is true"]);
    });
  });

  describe("iam-no-wildcard-actions", () => {
    const taskPolicy = () => resources.find((r) => r.name === "cti-etl-compute-task-policy")!;

    it("flags a service-wide wildcard such as s3:*", () => {
      const policy = withStatement(taskPolicy().inputs.policy, { Sid: "Greedy", Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b" });
      assert.deepEqual(violationsWith(taskPolicy(), { policy }), ['iam-no-wildcard-actions: statement Greedy allows wildcard action "s3:*"']);
    });

    it("flags '*' and prefix wildcards", () => {
      const policy = withStatement(taskPolicy().inputs.policy, { Sid: "All", Effect: "Allow", Action: ["*", "s3:Get*"], Resource: "arn:aws:s3:::b" });
      assert.deepEqual(violationsWith(taskPolicy(), { policy }), [
        'iam-no-wildcard-actions: statement All allows wildcard action "*"',
        'iam-no-wildcard-actions: statement All allows wildcard action "s3:Get*"',
      ]);
    });

    it("flags NotAction", () => {
      const policy = withStatement(taskPolicy().inputs.policy, { Sid: "Inverse", Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::b" });
      assert.deepEqual(violationsWith(taskPolicy(), { policy }), ["iam-no-wildcard-actions: statement Inverse uses NotAction"]);
    });

    it("allows wildcards in Deny statements (the TLS-only bucket policy denies s3:*)", () => {
      assert.deepEqual(violationsWith(taskPolicy(), { policy: withStatement(taskPolicy().inputs.policy, { Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::b" }) }), []);
    });

    it("checks inline policies of roles too", () => {
      const inlinePolicies = [{ name: "x", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "X", Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b" }] }) }];
      assert.deepEqual(resourceViolations("aws:iam/role:Role", { inlinePolicies }), ['iam-no-wildcard-actions: statement X allows wildcard action "s3:*"']);
    });
  });

  describe("iam-no-wildcard-resources", () => {
    it("flags Resource '*' on an action that has a resource type", () => {
      const taskPolicy = resources.find((r) => r.name === "cti-etl-compute-task-policy")!;
      const policy = withStatement(taskPolicy.inputs.policy, { Sid: "Everywhere", Effect: "Allow", Action: "s3:GetObject", Resource: "*" });
      assert.deepEqual(violationsWith(taskPolicy, { policy }), ["iam-no-wildcard-resources: statement Everywhere grants s3:GetObject on every resource"]);
    });
  });

  describe("log-retention-set", () => {
    it("flags a log group that keeps logs forever", () => {
      const logGroup = first(resources, "aws:cloudwatch/logGroup:LogGroup");
      assert.deepEqual(violationsWith(logGroup, { retentionInDays: undefined }), ["log-retention-set: retentionInDays is undefined: set a retention period"]);
      assert.deepEqual(violationsWith(logGroup, { retentionInDays: 0 }), ["log-retention-set: retentionInDays is 0: set a retention period"]);
    });
  });

  describe("fargate-valid-size", () => {
    it("flags a cpu/memory pair Fargate refuses", () => {
      const taskDefinition = first(resources, "aws:ecs/taskDefinition:TaskDefinition");
      assert.deepEqual(violationsWith(taskDefinition, { cpu: "1024", memory: "3000" }), [
        "fargate-valid-size: taskMemory 3000 MiB is not valid with taskCpu 1024: allowed 2048, 3072, 4096, 5120, 6144, 7168, 8192 MiB",
      ]);
    });
  });

  describe("stack rules", () => {
    const without = (type: string) => resources.filter((r) => r.type !== type).map(asStackResource);

    it("flags a bucket without a public access block", () => {
      const violations = bucketsHavePublicAccessBlock.check(without("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"));
      assert.equal(violations.length, 1);
      assert.match(violations[0]!.message, /has no public access block with all four settings on/);
      assert.match(violations[0]!.urn ?? "", /aws:s3\/bucket:Bucket::cti-etl-storage-bucket$/);
    });

    it("flags a bucket whose public access block leaves a setting off", () => {
      const weakened = resources.map((r) =>
        r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock" ? { ...asStackResource(r), props: { ...r.state, ignorePublicAcls: false } } : asStackResource(r),
      );
      assert.equal(bucketsHavePublicAccessBlock.check(weakened).length, 1);
    });

    it("flags a bucket without default encryption", () => {
      assert.equal(bucketsHaveEncryption.check(without("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")).length, 1);
    });

    it("flags a bucket without a TLS-only policy", () => {
      assert.equal(bucketsRequireTls.check(without("aws:s3/bucketPolicy:BucketPolicy")).length, 1);
    });

    it("matches sub-resources to buckets through the engine's property dependencies too", () => {
      const bucket: StackResource = { type: "aws:s3/bucket:Bucket", urn: "urn:b", props: {} };
      const block: StackResource = {
        type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        urn: "urn:pab",
        props: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        propertyDependencies: { bucket: ["urn:b"] },
      };
      assert.deepEqual(bucketsHavePublicAccessBlock.check([bucket, block]), []);
      assert.equal(bucketsHavePublicAccessBlock.check([bucket, { ...block, propertyDependencies: {} }]).length, 1);
    });
  });

  describe("the pack", () => {
    it("has uniquely named, described rules", () => {
      const names = [...resourceRules, ...stackRules].map((rule) => rule.name);
      assert.equal(new Set(names).size, names.length);
      for (const rule of [...resourceRules, ...stackRules]) {
        assert.match(rule.name, /^[a-z0-9-]+$/);
        assert.ok(rule.description.length > 10, rule.name);
      }
    });
  });
});
