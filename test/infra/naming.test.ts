import assert from "node:assert/strict";
import fc from "fast-check";
import { derivedNames, maxBaseLength, resourceNames } from "../../infra/naming.ts";
import { Scheduler } from "../../scheduler/index.ts";
import { fakeAccountId, loadProgram, promiseOf, type RecordedResource, settle, stack } from "./support/pulumi-mocks.ts";

/**
 * AWS's length limit of each physical name the program sets or Pulumi generates, by type token:
 * the input that holds the name and its limit (from the resource's AWS API reference).
 */
const nameLimits: Record<string, { readonly input: string; readonly maxLength: number }> = {
  "aws:ecs/cluster:Cluster": { input: "name", maxLength: 255 },
  "aws:ecs/taskDefinition:TaskDefinition": { input: "family", maxLength: 255 },
  "aws:cloudwatch/logGroup:LogGroup": { input: "name", maxLength: 512 },
  "aws:redshiftserverless/namespace:Namespace": { input: "namespaceName", maxLength: 64 },
  "aws:redshiftserverless/workgroup:Workgroup": { input: "workgroupName", maxLength: 64 },
  "aws:scheduler/scheduleGroup:ScheduleGroup": { input: "name", maxLength: 64 },
  "aws:scheduler/schedule:Schedule": { input: "name", maxLength: 64 },
  "aws:sqs/queue:Queue": { input: "name", maxLength: 80 },
  "aws:sns/topic:Topic": { input: "name", maxLength: 256 },
  "aws:cloudwatch/eventRule:EventRule": { input: "name", maxLength: 64 },
  "aws:cloudwatch/metricAlarm:MetricAlarm": { input: "name", maxLength: 255 },
  "aws:cloudwatch/dashboard:Dashboard": { input: "dashboardName", maxLength: 255 },
  // IAM: role names 64, inline policy names 128 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
  "aws:iam/role:Role": { input: "name", maxLength: 64 },
  "aws:iam/rolePolicy:RolePolicy": { input: "name", maxLength: 128 },
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
  "aws:s3/bucket:Bucket": { input: "bucket", maxLength: 63 },
  "aws:ecr/repository:Repository": { input: "name", maxLength: 256 },
  "aws:ec2/securityGroup:SecurityGroup": { input: "name", maxLength: 255 },
};

/** Pulumi's auto-name: the logical name, `-`, seven random characters. */
const autoName = (logicalName: string) => `${logicalName}-abcdefg`;

/** Pulumi limits stack names to 100 characters (`tokens.ValidateStackName`), the longest the log group's path must take. */
const longestStack = "s".repeat(100);

describe("resourceNames", () => {
  it("derives every name from the project and stack", () => {
    assert.deepEqual(resourceNames("cti-etl", "dev"), {
      base: "cti-etl-dev",
      cluster: "cti-etl-dev",
      taskFamily: "cti-etl-dev",
      logGroup: "/cti-etl/dev/task",
      namespace: "cti-etl-dev-ns",
      workgroup: "cti-etl-dev-wg",
      container: "etl",
    });
  });

  it("turns characters Redshift refuses into dashes", () => {
    assert.equal(resourceNames("cti-etl", "Team_A.Prod").workgroup, "cti-etl-team-a-prod-wg");
  });

  it("keeps Redshift and ECS names valid for any stack name", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (stack) => {
        const names = resourceNames("cti-etl", stack);
        for (const name of [names.namespace, names.workgroup]) assert.match(name, /^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/);
        assert.match(names.cluster, /^[a-z0-9][a-z0-9-]{0,254}$/);
      }),
    );
  });

  it("cuts the base so every suffix any module appends fits that name's AWS limit", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_.-]{1,100}$/), (stack) => {
        const { base } = resourceNames("cti-etl", stack);
        assert.ok(base.length <= maxBaseLength);
        for (const name of derivedNames) assert.ok(`${base}${name.suffix}`.length <= name.maxLength, `${name.resource}: ${base}${name.suffix}`);
      }),
    );
  });

  it("uses the whole room: the tightest derived name is exactly full at the longest base", () => {
    assert.ok(derivedNames.some((name) => maxBaseLength + name.suffix.length === name.maxLength));
    assert.equal(resourceNames("cti-etl", longestStack).base.length, maxBaseLength);
  });
});

describe("physical names under mocks", () => {
  let resources: readonly RecordedResource[];
  const devBase = resourceNames("cti-etl", stack).base;
  before(async () => ({ resources } = await loadProgram()));

  /** Every physical name the program sets (or Pulumi generates), with the type it belongs to. */
  function physicalNames(): Array<{ type: string; logical: string; name: string }> {
    return resources
      .filter((r) => nameLimits[r.type] !== undefined)
      .map((r) => {
        const set = r.inputs[nameLimits[r.type]!.input];
        return { type: r.type, logical: r.name, name: typeof set === "string" ? set : autoName(r.name) };
      });
  }

  /** The name as it would be for the longest stack: the base at its longest, the stack path at 100 characters. */
  function atLongest(name: string): string {
    const longBase = "b".repeat(maxBaseLength);
    return name.startsWith(devBase) ? longBase + name.slice(devBase.length) : name.replace(`/${stack}/`, `/${longestStack}/`);
  }

  it("names something of every type it knows a limit for, so the check below has something to check", () => {
    const types = new Set(physicalNames().map((n) => n.type));
    assert.deepEqual([...types].sort(), Object.keys(nameLimits).sort());
  });

  it("keeps every name within its AWS limit, for the longest stack name", () => {
    const tooLong = physicalNames()
      .map((n) => ({ ...n, longest: atLongest(n.name) }))
      .filter((n) => n.longest.length > nameLimits[n.type]!.maxLength)
      .map((n) => `${n.type} ${n.logical}: ${n.longest.length} > ${nameLimits[n.type]!.maxLength}`);
    assert.deepEqual(tooLong, []);
  });

  it("derives from the base only names listed in derivedNames (the one place the base's length comes from)", () => {
    const listed = new Set(derivedNames.map((n) => n.suffix));
    const unlisted = physicalNames()
      .filter((n) => n.name.startsWith(devBase))
      .map((n) => n.name.slice(devBase.length))
      .filter((suffix) => !listed.has(suffix));
    assert.deepEqual(unlisted, []);
  });
});

describe("Scheduler name", () => {
  const args = (name: string) => ({
    name,
    stackLabel: "cti-etl/sandbox",
    region: "us-east-1",
    expression: "rate(1 day)",
    timeZone: "UTC",
    timing: { paused: false, flexibleWindowMinutes: 0, retryAttempts: 0, maxEventAgeSeconds: 60 },
    job: "f",
    clusterArn: `arn:aws:ecs:us-east-1:${fakeAccountId}:cluster/c`,
    taskDefinitionArn: `arn:aws:ecs:us-east-1:${fakeAccountId}:task-definition/f:1`,
    taskRoleArn: `arn:aws:iam::${fakeAccountId}:role/task`,
    executionRoleArn: `arn:aws:iam::${fakeAccountId}:role/execution`,
    subnetIds: ["subnet-1"],
    securityGroupId: "sg-1",
    logGroupName: "/cti-etl/sandbox/task",
  });

  it("accepts the longest base resourceNames makes, and refuses one character more", async () => {
    await loadProgram();
    const longest = resourceNames("cti-etl", longestStack).base;
    const scheduler = new Scheduler("sandbox-longest-name", args(longest));
    assert.equal(await promiseOf(scheduler.scheduleName), longest);
    await settle();
    assert.throws(() => new Scheduler("sandbox-too-long-name", args(`${longest}x`)), new RegExp(`scheduler name must be 1-${maxBaseLength} of`));
  });
});
