import assert from "node:assert/strict";
import * as awsx from "@pulumi/awsx";
import * as aws from "@pulumi/aws";
import { fakeAccountId, fakeState, loadProgram, promiseOf, type RecordedResource, resourcesOfType, sandboxPrefix, settle } from "./pulumi-mocks.ts";

const region = "us-east-1"; // Pulumi.dev.yaml's
const acct = fakeAccountId;
const hex17 = "[0-9a-f]{17}";
const uuid4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** What a resource type's id and ARN look like in AWS, given the resource's recorded state. */
interface Shape {
  /** The provider's id: a pattern over the state. */
  readonly id: (state: Record<string, unknown>) => RegExp;
  /** Its ARN output (`arn`, or `dashboardArn`…), or `undefined` where AWS gives the resource none. */
  readonly arn?: (state: Record<string, unknown>) => RegExp;
  readonly arnKey?: string;
}

const exactly = (value: unknown) => new RegExp(`^${esc(String(value))}$`);
const bucketName = "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]";
const bucketChild: Shape = { id: (s) => exactly(s.bucket) };
const sgRule: Shape = { id: () => new RegExp(`^sgr-${hex17}$`), arn: (s) => new RegExp(`^arn:aws:ec2:${region}:${acct}:security-group-rule/${esc(String(s.id))}$`) };

/**
 * The formats, written from AWS's documentation independently of the fakes: ARNs from the
 * Service Authorization Reference's "Resource types" table of each service
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/), ids from the AWS
 * provider's resource docs ("Import" sections give the id's form).
 */
const shapes: Record<string, Shape> = {
  "aws:s3/bucket:Bucket": { id: () => new RegExp(`^${bucketName}$`), arn: (s) => new RegExp(`^arn:aws:s3:::${esc(String(s.id))}$`) },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": bucketChild,
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": bucketChild,
  "aws:s3/bucketVersioning:BucketVersioning": bucketChild,
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": bucketChild,
  "aws:s3/bucketPolicy:BucketPolicy": bucketChild,
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": bucketChild,
  "aws:iam/role:Role": { id: (s) => exactly(s.name), arn: (s) => new RegExp(`^arn:aws:iam::${acct}:role/(?:[\\w+=,.@-]+/)*${esc(String(s.name))}$`) },
  "aws:iam/rolePolicy:RolePolicy": { id: (s) => new RegExp(`^${esc(String(s.role))}:[\\w+=,.@-]{1,128}$`) },
  "aws:ecr/repository:Repository": { id: (s) => exactly(s.name), arn: (s) => new RegExp(`^arn:aws:ecr:${region}:${acct}:repository/${esc(String(s.name))}$`) },
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": { id: (s) => exactly(s.repository) },
  "aws:cloudwatch/logGroup:LogGroup": { id: (s) => exactly(s.name), arn: (s) => new RegExp(`^arn:aws:logs:${region}:${acct}:log-group:${esc(String(s.name))}$`) },
  "aws:ecs/cluster:Cluster": { id: (s) => exactly(s.arn), arn: (s) => new RegExp(`^arn:aws:ecs:${region}:${acct}:cluster/${esc(String(s.name))}$`) },
  "aws:ecs/taskDefinition:TaskDefinition": { id: (s) => exactly(s.family), arn: (s) => new RegExp(`^arn:aws:ecs:${region}:${acct}:task-definition/${esc(String(s.family))}:[1-9]\\d*$`) },
  "aws:redshiftserverless/namespace:Namespace": { id: (s) => exactly(s.namespaceName), arn: () => new RegExp(`^arn:aws:redshift-serverless:${region}:${acct}:namespace/${uuid4}$`) },
  "aws:redshiftserverless/workgroup:Workgroup": { id: (s) => exactly(s.workgroupName), arn: () => new RegExp(`^arn:aws:redshift-serverless:${region}:${acct}:workgroup/${uuid4}$`) },
  "aws:ec2/securityGroup:SecurityGroup": { id: () => new RegExp(`^sg-${hex17}$`), arn: (s) => new RegExp(`^arn:aws:ec2:${region}:${acct}:security-group/${esc(String(s.id))}$`) },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": sgRule,
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": sgRule,
  "aws:ec2/vpcEndpoint:VpcEndpoint": { id: () => new RegExp(`^vpce-${hex17}$`), arn: (s) => new RegExp(`^arn:aws:ec2:${region}:${acct}:vpc-endpoint/${esc(String(s.id))}$`) },
  "aws:sqs/queue:Queue": {
    id: (s) => new RegExp(`^https://sqs\\.${region}\\.amazonaws\\.com/${acct}/${esc(String(s.name))}$`),
    arn: (s) => new RegExp(`^arn:aws:sqs:${region}:${acct}:${esc(String(s.name))}$`),
  },
  "aws:sns/topic:Topic": { id: (s) => exactly(s.arn), arn: (s) => new RegExp(`^arn:aws:sns:${region}:${acct}:${esc(String(s.name))}$`) },
  "aws:sns/topicPolicy:TopicPolicy": { id: () => new RegExp(`^arn:aws:sns:${region}:${acct}:[\\w-]{1,256}$`), arn: (s) => exactly(s.id) },
  "aws:kms/key:Key": { id: () => new RegExp(`^${uuid4}$`), arn: (s) => new RegExp(`^arn:aws:kms:${region}:${acct}:key/${esc(String(s.id))}$`) },
  "aws:scheduler/scheduleGroup:ScheduleGroup": { id: (s) => exactly(s.name), arn: (s) => new RegExp(`^arn:aws:scheduler:${region}:${acct}:schedule-group/${esc(String(s.name))}$`) },
  "aws:scheduler/schedule:Schedule": {
    id: (s) => exactly(`${String(s.groupName ?? "default")}/${String(s.name)}`),
    arn: (s) => new RegExp(`^arn:aws:scheduler:${region}:${acct}:schedule/${esc(String(s.groupName ?? "default"))}/${esc(String(s.name))}$`),
  },
  "aws:cloudwatch/eventRule:EventRule": { id: (s) => exactly(s.name), arn: (s) => new RegExp(`^arn:aws:events:${region}:${acct}:rule/${esc(String(s.name))}$`) },
  // `arn` of a target is the ARN of what it targets (an input).
  "aws:cloudwatch/eventTarget:EventTarget": { id: (s) => exactly(`${String(s.rule)}-${String(s.targetId)}`), arn: () => /^arn:aws:[a-z0-9-]+:/ },
  "aws:cloudwatch/metricAlarm:MetricAlarm": { id: (s) => exactly(s.name), arn: (s) => new RegExp(`^arn:aws:cloudwatch:${region}:${acct}:alarm:${esc(String(s.name))}$`) },
  "aws:cloudwatch/dashboard:Dashboard": { id: (s) => exactly(s.dashboardName), arn: (s) => new RegExp(`^arn:aws:cloudwatch::${acct}:dashboard/${esc(String(s.dashboardName))}$`), arnKey: "dashboardArn" },
};

/**
 * Every ARN in a value (nested, and inside JSON policy documents), with where it was found.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
function arnsIn(value: unknown, at: string): [string, string][] {
  if (typeof value === "string") {
    if (value.startsWith("arn:")) return [[at, value]];
    if (/^\s*[{[]/.test(value)) {
      try {
        return arnsIn(JSON.parse(value), `${at}(json)`);
      } catch {
        return [];
      }
    }
    return [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => arnsIn(item, `${at}[${i}]`));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([key, item]) => arnsIn(item, `${at}.${key}`));
  return [];
}

/**
 * The general ARN grammar with each service's region and account rules: S3 ARNs have neither
 * (buckets) , IAM and CloudWatch dashboards no region, every other service both. A `*` wildcard is
 * allowed in the resource part (policies).
 */
const arnGrammar = new RegExp(
  `^arn:aws:(?:s3:::${bucketName}(?:/.*)?|iam::(?:${acct}|aws):[\\w+=,.@/*-]+|cloudwatch::${acct}:dashboard/.+|` +
    `(?:ecr|logs|ecs|redshift-serverless|redshift|ec2|sqs|sns|kms|scheduler|events|cloudwatch|secretsmanager|redshift-data):${region}:${acct}:.+)$`,
);

describe("pulumi-mocks", () => {
  before(() => loadProgram());

  describe("fakeState", () => {
    it("refuses an awsx component it has no fakes for", () => {
      assert.throws(() => fakeState("awsx:ecs:FargateService", "svc", {}, false), /no fake outputs for remote component awsx:ecs:FargateService/);
    });

    it("gives every output an awsx class declares either a fake or a poison marker", () => {
      const state = fakeState("awsx:ec2:Vpc", "probe", { numberOfAvailabilityZones: 3, subnetSpecs: [{ type: "Private" }] }, false);
      for (const output of ["vpcId", "privateSubnetIds", "publicSubnetIds", "isolatedSubnetIds", "subnetLayout"]) {
        assert.doesNotMatch(JSON.stringify(state[output]), /MISSING/, output);
      }
      for (const output of ["vpc", "subnets", "routeTables", "natGateways", "eips", "internetGateway", "vpcEndpoints"]) {
        assert.equal(state[output], `MISSING_FAKE_OUTPUT(awsx:ec2:Vpc.${output})`);
      }
    });

    it("derives the image digest from the repository and tag", () => {
      const state = fakeState("awsx:ecr:Image", "img", { repositoryUrl: "1.dkr.ecr.r.amazonaws.com/x", imageTag: "t" }, false);
      assert.match(String(state.imageUri), /^1\.dkr\.ecr\.r\.amazonaws\.com\/x@sha256:[0-9a-f]{64}$/);
    });
  });

  describe("task definition revisions", () => {
    const register = (image: string) =>
      fakeState("aws:ecs/taskDefinition:TaskDefinition", "td", { family: "mocks-probe-family", containerDefinitions: JSON.stringify([{ image }]) }, true);

    it("registers new content as the family's next revision, and keeps the revision of content seen before", () => {
      assert.equal(register("repo@sha256:aaaa").arn, "arn:aws:ecs:us-east-1:123456789012:task-definition/mocks-probe-family:1");
      assert.equal(register("repo@sha256:bbbb").revision, 2);
      assert.equal(register("repo@sha256:aaaa").revision, 1);
    });
  });

  describe("resourcesOfType", () => {
    it("leaves sandbox resources out unless the prefix asks for them", async () => {
      const topic = new aws.sns.Topic(`${sandboxPrefix}mocks-topic`, {});
      await promiseOf(topic.arn);
      await settle();
      assert.deepEqual(resourcesOfType("aws:sns/topic:Topic", `${sandboxPrefix}mocks`).map((r) => r.name), [`${sandboxPrefix}mocks-topic`]);
      assert.ok(!resourcesOfType("aws:sns/topic:Topic").some((r) => r.name.startsWith(sandboxPrefix)));
      assert.ok(resourcesOfType("aws:sns/topic:Topic").length > 0, "the program's own topic is still seen");
    });
  });

  describe("promiseOf", () => {
    it("resolves outputs and plain values", async () => {
      assert.equal(await promiseOf("plain"), "plain");
    });

    it("rejects an awsx output the fakes do not cover, naming it", async () => {
      const vpc = new awsx.ec2.Vpc("mocks-probe", { numberOfAvailabilityZones: 3 });
      assert.equal((await promiseOf(vpc.privateSubnetIds)).length, 3);
      await assert.rejects(promiseOf(vpc.routeTables, "routeTables"), /routeTables contains MISSING_FAKE_OUTPUT\(awsx:ec2:Vpc\.routeTables\)/);
    });
  });

  describe("fake outputs (realistic ids and ARNs)", () => {
    let resources: readonly RecordedResource[];
    before(async () => ({ resources } = await loadProgram()));
    const programs = () => resources.filter((r) => r.custom && !r.name.startsWith(sandboxPrefix));

    it("has a known AWS format for every resource type the program declares", () => {
      const unknown = [...new Set(programs().map((r) => r.type))].filter((type) => !(type in shapes));
      assert.deepEqual(unknown, [], "add fakes to pulumi-mocks.ts and a shape here");
    });

    it("gives every resource the provider's id and its ARN in the format AWS documents for its type", () => {
      const wrong: string[] = [];
      for (const r of programs()) {
        const shape = shapes[r.type];
        if (!shape) continue;
        const id = String(r.state.id);
        if (!shape.id(r.state).test(id)) wrong.push(`${r.type} ${r.name}: id ${id} !~ ${shape.id(r.state)}`);
        const key = shape.arnKey ?? "arn";
        if (shape.arn === undefined) {
          if (r.state.arn !== undefined) wrong.push(`${r.type} ${r.name}: AWS gives it no ARN, the mocks gave ${String(r.state.arn)}`);
        } else if (!shape.arn(r.state).test(String(r.state[key]))) {
          wrong.push(`${r.type} ${r.name}: ${key} ${String(r.state[key])} !~ ${shape.arn(r.state)}`);
        }
      }
      assert.deepEqual(wrong, []);
    });

    it("records only ARNs that follow the ARN grammar of their service, in every input, output and policy document", () => {
      const arns = programs().flatMap((r) => arnsIn(r.state, `${r.type} ${r.name}`));
      assert.ok(arns.length > 50, `only ${arns.length} ARNs found`);
      assert.deepEqual(arns.filter(([, arn]) => !arnGrammar.test(arn)).map(([at, arn]) => `${at}: ${arn}`), []);
    });

    it("refuses an ARN in a wrong format (the checks can fail)", () => {
      assert.ok(!arnGrammar.test(`arn:aws:s3:${region}:${acct}:bucket`));
      assert.ok(!arnGrammar.test(`arn:aws:vpc:${region}:${acct}:rule`));
      assert.ok(!shapes["aws:sns/topic:Topic"]!.arn!({ name: "t" }).test(`arn:aws:sns:${region}:${acct}:other`));
      assert.ok(!shapes["aws:ecs/taskDefinition:TaskDefinition"]!.arn!({ family: "f" }).test(`arn:aws:ecs:${region}:${acct}:task-definition/f`));
    });
  });
});
