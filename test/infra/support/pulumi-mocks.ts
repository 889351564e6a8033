/**
 * The one Pulumi mocks helper of the infra tests. It records every resource the program
 * registers, answers with fake outputs, and loads the program once per test run with the `dev`
 * stack's configuration as the Pulumi CLI would hand it over (`Pulumi.yaml` and `Pulumi.dev.yaml`
 * merged by the CLI's rules: {@link readStackConfig}).
 *
 * awsx components are remote: under mocks nothing runs them, so their outputs come from the
 * fakes below. Every output an awsx class declares either gets a fake value or a poison marker;
 * a poison marker that reaches a resource input or a stack output fails the run, and a remote
 * component without fakes throws. Nothing resolves to `undefined` unnoticed.
 *
 * Tests that build components of their own next to the program (a second `Compute` for the
 * image swap, say) name them `sandbox-…`: queries without a name prefix see only the program's
 * resources, so such tests can run in any order.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { stackConfigAsTheCliHandsIt } from "../../support/pulumi-cli/stack-config.ts";

export const project = "cti-etl";
export const stack = "dev";
export const fakeAccountId = "123456789012";
/** The directory of `Pulumi.yaml` and the stack files. */
const projectDir = fileURLToPath(new URL("../../../", import.meta.url));

/** One resource as the mocks saw it. */
export interface RecordedResource {
  /** Type token, e.g. `aws:s3/bucket:Bucket`. */
  readonly type: string;
  /** Logical name. */
  readonly name: string;
  /** Resolved inputs, as the program passed them. */
  readonly inputs: Record<string, unknown>;
  /** Inputs plus fake outputs: what the resource looks like after `pulumi up`. */
  readonly state: Record<string, unknown>;
  /** Custom resource (false for components). */
  readonly custom: boolean;
}

/** Every resource registered so far, in order. */
export const recorded: RecordedResource[] = [];
/** Every error the mocks raised (unknown remote component, unknown invoke, poisoned input). */
export const mockFailures: Error[] = [];

const missingMarker = "MISSING_FAKE_OUTPUT";

/** The file of each awsx component class: its declared outputs are read from it. */
const remoteComponentSources: Record<string, string> = {
  "awsx:ec2:Vpc": "@pulumi/awsx/ec2/vpc.js",
  "awsx:ecr:Image": "@pulumi/awsx/ecr/image.js",
  "awsx:ecr:Repository": "@pulumi/awsx/ecr/repository.js",
};

/** Fake outputs of awsx components, from their inputs. */
const remoteComponentFakes: Record<string, (name: string, inputs: Record<string, unknown>) => Record<string, unknown>> = {
  "awsx:ec2:Vpc": (name, inputs) => {
    const zones = Number(inputs.numberOfAvailabilityZones ?? 3);
    const specs = Array.isArray(inputs.subnetSpecs) ? (inputs.subnetSpecs as { type: string }[]) : [{ type: "Private" }, { type: "Public" }];
    const idsOf = (kind: string) =>
      specs.some((spec) => spec.type === kind) ? Array.from({ length: zones }, (_, i) => `subnet-${hex(`${name}-${kind}-${i}`, 17)}`) : [];
    return {
      vpcId: `vpc-${hex(name, 17)}`,
      privateSubnetIds: idsOf("Private"),
      publicSubnetIds: idsOf("Public"),
      isolatedSubnetIds: idsOf("Isolated"),
      subnetLayout: specs,
    };
  },
  "awsx:ecr:Image": (name, inputs) => {
    if (typeof inputs.repositoryUrl !== "string") throw new Error(`awsx:ecr:Image ${name} has no repositoryUrl`);
    return { imageUri: `${inputs.repositoryUrl}@sha256:${hex(`${inputs.repositoryUrl}:${String(inputs.imageTag)}`, 64)}` };
  },
  "awsx:ecr:Repository": (name) => ({ url: `${fakeAccountId}.dkr.ecr.${region()}.amazonaws.com/${name}` }),
};

/**
 * Revisions per task definition family, handed out as `pulumi up` and ECS do together: content
 * never seen before (a new image digest, say) is a replacement, registered as the next revision;
 * content seen before keeps its revision (no change, no new revision).
 */
const taskDefinitionRevisions = new Map<string, string[]>();

function taskDefinitionRevision(family: string, inputs: Record<string, unknown>): number {
  const contents = taskDefinitionRevisions.get(family) ?? [];
  taskDefinitionRevisions.set(family, contents);
  const content = JSON.stringify(inputs);
  if (!contents.includes(content)) contents.push(content);
  return contents.indexOf(content) + 1;
}

/** `inputs.name`, or a name with a random-looking suffix as Pulumi auto-names it. */
function physicalName(name: string, inputs: Record<string, unknown>): string {
  return String(inputs.name ?? `${name}-${hex(name, 7)}`);
}

/** The bucket a bucket sub-resource configures (its `bucket` input, a bucket name). */
function bucketOf(name: string, inputs: Record<string, unknown>): string {
  if (typeof inputs.bucket !== "string") throw new Error(`${name} has no bucket name`);
  return inputs.bucket;
}

/** A bucket sub-resource: the provider's id is the bucket name; AWS gives it no ARN. */
const bucketSubresource = (name: string, inputs: Record<string, unknown>) => ({ id: bucketOf(name, inputs) });

/** A VPC security group rule: `sgr-` id, and its ARN (EC2 API SecurityGroupRule; AWS provider `vpc` module). */
const securityGroupRule = (name: string) => {
  const id = `sgr-${hex(name, 17)}`;
  return { id, securityGroupRuleId: id, arn: `arn:aws:ec2:${region()}:${fakeAccountId}:security-group-rule/${id}` };
};

/**
 * Fake outputs of every AWS resource type the program declares, keyed by type token, in the
 * formats AWS and the AWS provider really use: the provider's `id` (a name, an ARN or a
 * generated id, per type) and ARNs as the service documents them
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html,
 * "Resource types" of each service). Types AWS gives no ARN get none. `test/infra/support/pulumi-mocks.test.ts`
 * holds every recorded id and ARN against an independent pattern per type.
 */
export const awsFakes: Readonly<Record<string, (name: string, inputs: Record<string, unknown>) => Record<string, unknown>>> = {
  "aws:s3/bucket:Bucket": (name, inputs) => {
    const bucket = String(inputs.bucket ?? `${name}-${hex(name, 7)}`);
    return {
      id: bucket,
      bucket,
      arn: `arn:aws:s3:::${bucket}`,
      bucketDomainName: `${bucket}.s3.amazonaws.com`,
      bucketRegionalDomainName: `${bucket}.s3.${region()}.amazonaws.com`,
      region: region(),
    };
  },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": bucketSubresource,
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": bucketSubresource,
  "aws:s3/bucketVersioning:BucketVersioning": bucketSubresource,
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": bucketSubresource,
  "aws:s3/bucketPolicy:BucketPolicy": bucketSubresource,
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": bucketSubresource,
  "aws:iam/role:Role": (name, inputs) => {
    const roleName = String(inputs.name ?? `${name}-${hex(name, 7)}`);
    const path = String(inputs.path ?? "/");
    return {
      id: roleName,
      name: roleName,
      arn: `arn:aws:iam::${fakeAccountId}:role${path}${roleName}`,
      // IAM unique ids: "AROA" for roles, then 17 upper-case letters and digits.
      uniqueId: `AROA${hex(name, 17).toUpperCase()}`,
    };
  },
  // The provider's id is "<role name>:<policy name>"; inline policies have no ARN.
  "aws:iam/rolePolicy:RolePolicy": (name, inputs) => {
    const policy = physicalName(name, inputs);
    return { id: `${String(inputs.role)}:${policy}`, name: policy };
  },
  "aws:ecr/repository:Repository": (name, inputs) => {
    const repo = String(inputs.name ?? `${name}-${hex(name, 7)}`);
    return {
      id: repo,
      name: repo,
      registryId: fakeAccountId,
      repositoryUrl: `${fakeAccountId}.dkr.ecr.${region()}.amazonaws.com/${repo}`,
      arn: `arn:aws:ecr:${region()}:${fakeAccountId}:repository/${repo}`,
    };
  },
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": (name, inputs) => {
    if (typeof inputs.repository !== "string") throw new Error(`${name} has no repository name`);
    return { id: inputs.repository, registryId: fakeAccountId };
  },
  "aws:cloudwatch/logGroup:LogGroup": (name, inputs) => {
    const group = String(inputs.name ?? `${name}-${hex(name, 7)}`);
    // The provider's arn has no trailing ":*" (DescribeLogGroups returns it with one; the provider trims it).
    return { id: group, name: group, arn: `arn:aws:logs:${region()}:${fakeAccountId}:log-group:${group}` };
  },
  // An ECS cluster's provider id is its ARN.
  "aws:ecs/cluster:Cluster": (name, inputs) => {
    const cluster = physicalName(name, inputs);
    const arn = `arn:aws:ecs:${region()}:${fakeAccountId}:cluster/${cluster}`;
    return { id: arn, name: cluster, arn };
  },
  "aws:ecs/taskDefinition:TaskDefinition": (name, inputs) => {
    const family = String(inputs.family ?? name);
    const withoutRevision = `arn:aws:ecs:${region()}:${fakeAccountId}:task-definition/${family}`;
    const revision = taskDefinitionRevision(family, inputs);
    return { id: family, family, revision, arn: `${withoutRevision}:${revision}`, arnWithoutRevision: withoutRevision };
  },
  "aws:redshiftserverless/namespace:Namespace": (name, inputs) => {
    const id = uuid(name);
    const namespace = String(inputs.namespaceName);
    return {
      id: namespace,
      namespaceId: id,
      arn: `arn:aws:redshift-serverless:${region()}:${fakeAccountId}:namespace/${id}`,
      // The secret Redshift creates for a managed admin password is named "redshift!<namespace>-admin".
      adminPasswordSecretArn: `arn:aws:secretsmanager:${region()}:${fakeAccountId}:secret:redshift!${namespace}-admin-${alnum(name, 6)}`,
    };
  },
  "aws:redshiftserverless/workgroup:Workgroup": (name, inputs) => {
    const id = uuid(name);
    const workgroup = String(inputs.workgroupName);
    return {
      id: workgroup,
      workgroupId: id,
      arn: `arn:aws:redshift-serverless:${region()}:${fakeAccountId}:workgroup/${id}`,
      endpoints: [{ address: `${workgroup}.${fakeAccountId}.${region()}.redshift-serverless.amazonaws.com`, port: Number(inputs.port ?? 5439) }],
    };
  },
  "aws:ec2/securityGroup:SecurityGroup": (name, inputs) => {
    const id = `sg-${hex(name, 17)}`;
    return { id, name: physicalName(name, inputs), ownerId: fakeAccountId, arn: `arn:aws:ec2:${region()}:${fakeAccountId}:security-group/${id}` };
  },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": securityGroupRule,
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": securityGroupRule,
  "aws:ec2/vpcEndpoint:VpcEndpoint": (name) => {
    const id = `vpce-${hex(name, 17)}`;
    return { id, ownerId: fakeAccountId, arn: `arn:aws:ec2:${region()}:${fakeAccountId}:vpc-endpoint/${id}` };
  },
  // A queue's provider id is its URL.
  "aws:sqs/queue:Queue": (name, inputs) => {
    const queue = physicalName(name, inputs);
    const url = `https://sqs.${region()}.amazonaws.com/${fakeAccountId}/${queue}`;
    return { id: url, url, name: queue, arn: `arn:aws:sqs:${region()}:${fakeAccountId}:${queue}` };
  },
  // A topic's provider id is its ARN.
  "aws:sns/topic:Topic": (name, inputs) => {
    const topic = physicalName(name, inputs);
    const arn = `arn:aws:sns:${region()}:${fakeAccountId}:${topic}`;
    return { id: arn, arn, name: topic };
  },
  // A topic policy's provider id is the topic's ARN (its `arn` input).
  "aws:sns/topicPolicy:TopicPolicy": (name, inputs) => {
    if (typeof inputs.arn !== "string") throw new Error(`${name} has no topic arn`);
    return { id: inputs.arn, owner: fakeAccountId };
  },
  "aws:kms/key:Key": (name) => {
    const keyId = uuid(name);
    return { id: keyId, keyId, arn: `arn:aws:kms:${region()}:${fakeAccountId}:key/${keyId}` };
  },
  "aws:scheduler/scheduleGroup:ScheduleGroup": (name, inputs) => {
    const group = physicalName(name, inputs);
    return { id: group, name: group, arn: `arn:aws:scheduler:${region()}:${fakeAccountId}:schedule-group/${group}` };
  },
  // A schedule's provider id is "<group>/<name>".
  "aws:scheduler/schedule:Schedule": (name, inputs) => {
    const schedule = physicalName(name, inputs);
    const group = String(inputs.groupName ?? "default");
    return { id: `${group}/${schedule}`, name: schedule, arn: `arn:aws:scheduler:${region()}:${fakeAccountId}:schedule/${group}/${schedule}` };
  },
  // A state machine's provider id is its ARN.
  "aws:sfn/stateMachine:StateMachine": (name, inputs) => {
    const machine = physicalName(name, inputs);
    const arn = `arn:aws:states:${region()}:${fakeAccountId}:stateMachine:${machine}`;
    return { id: arn, name: machine, arn };
  },
  "aws:cloudwatch/eventRule:EventRule": (name, inputs) => {
    const rule = physicalName(name, inputs);
    return { id: rule, name: rule, arn: `arn:aws:events:${region()}:${fakeAccountId}:rule/${rule}` };
  },
  // A target's provider id is "<rule>-<target id>" on the default bus; the provider generates a
  // "terraform-<timestamp><counter>" target id when none is given. Its `arn` input is the target's ARN.
  "aws:cloudwatch/eventTarget:EventTarget": (name, inputs) => {
    const targetId = String(inputs.targetId ?? `terraform-${BigInt(`0x${hex(name, 20)}`).toString().padStart(26, "0").slice(0, 26)}`);
    return { id: `${String(inputs.rule)}-${targetId}`, targetId };
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": (name, inputs) => {
    const alarm = physicalName(name, inputs);
    return { id: alarm, name: alarm, arn: `arn:aws:cloudwatch:${region()}:${fakeAccountId}:alarm:${alarm}` };
  },
  // Dashboards are global: their ARN has no region.
  "aws:cloudwatch/dashboard:Dashboard": (name, inputs) => {
    const dashboard = String(inputs.dashboardName ?? name);
    return { id: dashboard, dashboardArn: `arn:aws:cloudwatch::${fakeAccountId}:dashboard/${dashboard}` };
  },
};

/** Fake results of provider functions (invokes), keyed by token. Unknown tokens throw. */
const invokeFakes: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>> = {
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    id: fakeAccountId,
    accountId: fakeAccountId,
    arn: `arn:aws:iam::${fakeAccountId}:user/deployer`,
    userId: "AIDAFAKEUSERID",
  }),
  "aws:index/getPartition:getPartition": () => ({ id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" }),
  "aws:ec2/getPrefixList:getPrefixList": (inputs) => ({ id: "pl-63a5400a", prefixListId: "pl-63a5400a", name: inputs.name, cidrBlocks: ["52.216.0.0/15"] }),
  // Zone names map to zone IDs out of order, as in a real account (the mapping differs per
  // account): the first three names here include use1-az3, which Redshift Serverless leaves out.
  "aws:index/getAvailabilityZones:getAvailabilityZones": () => {
    const ids = [4, 6, 3, 1, 2, 5].map((n) => `${zoneIdPrefix(region())}-az${n}`);
    return { id: region(), region: region(), names: ids.map((_, i) => `${region()}${"abcdef"[i]}`), zoneIds: ids, groupNames: [region()] };
  },
};

/** The AZ ID prefix of a region: `us-east-1` → `use1`, `ap-southeast-2` → `apse2`. */
function zoneIdPrefix(regionCode: string): string {
  const [area, direction, number] = regionCode.split("-") as [string, string, string];
  return `${area}${direction.replace(/(north|south)?(east|west|central)?/, (_, ns = "", ew = "") => `${ns.charAt(0)}${ew.charAt(0)}`)}${number}`;
}

const mocks: pulumi.runtime.Mocks = {
  newResource(args) {
    try {
      const inputs = args.inputs as Record<string, unknown>;
      assertNoMissingOutputs(`${args.type} ${args.name}`, inputs);
      const state = { ...fakeState(args.type, args.name, inputs, args.custom !== false), ...inputs };
      recorded.push({ type: args.type, name: args.name, inputs, state, custom: args.custom !== false });
      const id = args.custom === false ? undefined : String(state.id ?? `${args.name}-id`);
      return { id: id as string, state };
    } catch (error) {
      mockFailures.push(error as Error);
      throw error;
    }
  },
  call(args) {
    try {
      const fake = invokeFakes[args.token];
      if (!fake) throw new Error(`no fake for invoke ${args.token}: add one to test/infra/support/pulumi-mocks.ts`);
      return fake(args.inputs as Record<string, unknown>);
    } catch (error) {
      mockFailures.push(error as Error);
      throw error;
    }
  },
};

/** The outputs the mocks give a resource (before its inputs are laid over them). Throws for an awsx component without fakes. */
export function fakeState(type: string, name: string, inputs: Record<string, unknown>, custom: boolean): Record<string, unknown> {
  if (type.startsWith("awsx:")) {
    const fake = remoteComponentFakes[type];
    if (!fake) throw new Error(`no fake outputs for remote component ${type} (${name}): add them to test/infra/support/pulumi-mocks.ts`);
    const faked = fake(name, inputs);
    const poisoned = Object.fromEntries(
      declaredOutputs(type)
        .filter((output) => !(output in faked))
        .map((output) => [output, `${missingMarker}(${type}.${output})`]),
    );
    return { ...poisoned, ...faked };
  }
  if (!custom) return {};
  const fake = awsFakes[type];
  if (fake) return fake(name, inputs);
  // No invented ARN for a type without fakes: pulumi-mocks.test.ts names the program's types that lack them.
  return { id: `${name}-id` };
}

/** Outputs a remote component class declares (`resourceInputs["x"] = undefined /*out*\/`). */
function declaredOutputs(type: string): string[] {
  const source = remoteComponentSources[type];
  if (!source) throw new Error(`no SDK source listed for remote component ${type}`);
  const text = readFileSync(createRequire(import.meta.url).resolve(source), "utf8");
  return [...new Set([...text.matchAll(/resourceInputs\["(\w+)"\] = undefined \/\*out\*\//g)].map((m) => m[1]!))];
}

function assertNoMissingOutputs(where: string, value: unknown): void {
  const found = findMissing(value);
  if (found) throw new Error(`${where} uses ${found}: the program reads a remote component output the mocks do not fake`);
}

function findMissing(value: unknown): string | undefined {
  if (typeof value === "string") return value.includes(missingMarker) ? value : undefined;
  if (Array.isArray(value)) return value.map(findMissing).find((v) => v !== undefined);
  if (value && typeof value === "object") return Object.values(value).map(findMissing).find((v) => v !== undefined);
  return undefined;
}

function hex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** `length` letters and digits, as AWS appends to a secret's name. */
function alnum(seed: string, length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return [...createHash("sha256").update(seed).digest()].slice(0, length).map((byte) => alphabet[byte % alphabet.length]).join("");
}

/** A random-looking version 4 UUID (KMS key ids, Redshift Serverless namespace and workgroup ids). */
function uuid(seed: string): string {
  const h = hex(seed, 32);
  const variant = "89ab"[Number.parseInt(h[16]!, 16) % 4];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
}

function region(): string {
  return pulumi.runtime.getConfig("aws:region") ?? "us-east-1";
}

/**
 * Resolves an output (or plain value) to its value: the one way tests read outputs. Rejects when
 * it resolves to `undefined` or to a poisoned remote output, or does not resolve in time.
 */
export function promiseOf<T>(value: pulumi.Input<T>, label = "output"): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${label} did not resolve within 10 s; mock failures: ${mockFailures.map(String).join("; ") || "none"}`)),
      10_000,
    );
    pulumi.output(value).apply((resolved) => {
      clearTimeout(timer);
      const missing = findMissing(resolved);
      if (resolved === undefined) reject(new Error(`${label} resolved to undefined`));
      else if (missing) reject(new Error(`${label} contains ${missing}`));
      else resolve(resolved as T);
      return resolved;
    });
  });
}

/**
 * A stack's configuration as the Pulumi CLI hands it to the program: `Pulumi.yaml` and
 * `Pulumi.<stack>.yaml` merged and validated by the CLI's rules (test/support/pulumi-cli/stack-config.ts,
 * after `mergeConfig` in pulumi/pulumi's pkg/workspace/config.go), keyed `<namespace>:<name>` as
 * `pulumi.runtime.allConfig()` shows it. Throws the CLI's error where `pulumi up` would stop.
 */
export function readStackConfig(stackName = stack): Record<string, string> {
  return Object.fromEntries(
    Object.entries(stackConfigAsTheCliHandsIt(projectDir, stackName)).map(([key, value]) => [key.replace(/^([^:]+):config:/, "$1:"), value]),
  );
}

/** What {@link loadProgram} returns. */
export interface LoadedProgram {
  /** The program's stack outputs, resolved. */
  readonly outputs: Record<string, unknown>;
  /** The resources it registered. */
  readonly resources: readonly RecordedResource[];
}

let loading: Promise<LoadedProgram> | undefined;

/** Sets mocks and the `dev` config, imports the program once, and resolves every output. */
export function loadProgram(): Promise<LoadedProgram> {
  loading ??= (async () => {
    await pulumi.runtime.setMocks(mocks, project, stack, false);
    // PULUMI_CONFIG as the Node language host builds it; setAllConfig cleans the keys as the SDK does.
    pulumi.runtime.setAllConfig(stackConfigAsTheCliHandsIt(projectDir, stack));
    const program = (await import("../../../infra/index.ts")) as Record<string, unknown>;
    const outputs: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(program)) outputs[name] = await promiseOf(value as pulumi.Input<unknown>, `stack output ${name}`);
    await settle();
    return { outputs, resources: [...recorded] };
  })();
  return loading;
}

/** Waits until every pending registration has finished, then fails if any mock failed. */
export async function settle(): Promise<void> {
  const { waitForRPCs } = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (waitForRPCs) await waitForRPCs();
  let count = -1;
  while (count !== recorded.length) {
    count = recorded.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (mockFailures.length > 0) throw new AggregateError(mockFailures, `Pulumi mocks failed: ${mockFailures.map((e) => e.message).join("; ")}`);
}

/** Names of resources a test builds next to the program start with this (see the header). */
export const sandboxPrefix = "sandbox-";

/**
 * Recorded resources of one type, optionally only those whose name starts with a prefix.
 * `sandbox-…` resources are left out unless the prefix asks for them.
 */
export function resourcesOfType(type: string, namePrefix = ""): RecordedResource[] {
  const sandboxed = namePrefix.startsWith(sandboxPrefix);
  return recorded.filter(
    (resource) => resource.type === type && resource.name.startsWith(namePrefix) && (sandboxed || !resource.name.startsWith(sandboxPrefix)),
  );
}

/** The one recorded resource of a type (and name prefix); throws when there are none or several. */
export function oneResource(type: string, namePrefix = ""): RecordedResource {
  const found = resourcesOfType(type, namePrefix);
  if (found.length !== 1) throw new Error(`expected one ${type}${namePrefix ? ` named ${namePrefix}*` : ""}, found ${found.length}`);
  return found[0]!;
}

/** The program's one task definition and its one container, as the mocks recorded them. */
export interface ProgramTask {
  /** The recorded `aws:ecs/taskDefinition:TaskDefinition`. */
  readonly definition: RecordedResource;
  /** Its container definition, parsed from `containerDefinitions`. */
  readonly container: {
    readonly image: string;
    readonly environment: readonly { name: string; value: string }[];
    readonly logConfiguration: { readonly options: Readonly<Record<string, string>> };
  } & Record<string, unknown>;
  /** The container's environment, by name. */
  readonly environment: Readonly<Record<string, string>>;
}

/** The task the program declares (from `resources`, default everything recorded outside sandboxes). */
export function programTask(resources: readonly RecordedResource[] = resourcesOfType("aws:ecs/taskDefinition:TaskDefinition")): ProgramTask {
  const definitions = resources.filter((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition" && !r.name.startsWith(sandboxPrefix));
  if (definitions.length !== 1) throw new Error(`expected one task definition, found ${definitions.length}`);
  const definition = definitions[0]!;
  const containers = JSON.parse(String(definition.inputs.containerDefinitions)) as ProgramTask["container"][];
  if (containers.length !== 1) throw new Error(`expected one container, found ${containers.length}`);
  const container = containers[0]!;
  return { definition, container, environment: Object.fromEntries(container.environment.map((v) => [v.name, v.value])) };
}
