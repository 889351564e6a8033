import { fargateSizeProblem } from "../infra/fargate-sizing.ts";
import { type ParsedStatement, parsePolicyDocument } from "../infra/iam/policy-document.ts";
import { isUnscopable } from "../infra/iam/unscopable-actions.ts";

/**
 * The stack's security rules as pure functions over a resource's type and properties. The
 * CrossGuard pack (`index.ts`) wires every rule listed here; tests run every resource the Pulumi
 * mocks recorded through them, and deliberately broken resources to show each one bites.
 */

/** Properties of one resource, as the pack (or the mocks) see them. */
export type Props = Readonly<Record<string, unknown>>;

/** A rule checked on one resource at a time. */
export interface ResourceRule {
  /** Policy name (kebab-case, unique in the pack). */
  readonly name: string;
  /** One line shown by `pulumi preview --policy-pack`. */
  readonly description: string;
  /** Violation messages; empty when the resource complies or the rule does not apply. */
  readonly check: (type: string, props: Props) => string[];
}

/** One resource of the stack, for rules that look at several together. */
export interface StackResource {
  readonly type: string;
  readonly urn: string;
  readonly props: Props;
  /** URNs each property depends on (from the engine); may be empty in tests. */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

/** A violation a stack rule found, with the resource it is about. */
export interface StackViolation {
  readonly message: string;
  readonly urn?: string;
}

/** A rule checked on the whole stack. */
export interface StackRule {
  readonly name: string;
  readonly description: string;
  readonly check: (resources: readonly StackResource[]) => StackViolation[];
}

const types = {
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  bucketAcl: "aws:s3/bucketAcl:BucketAcl",
  bucketAclV2: "aws:s3/bucketAclV2:BucketAclV2",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  encryptionV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  workgroup: "aws:redshiftserverless/workgroup:Workgroup",
  redshiftCluster: "aws:redshift/cluster:Cluster",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
} as const;

const bucketTypes: readonly string[] = [types.bucket, types.bucketV2];
const publicAcls = ["public-read", "public-read-write", "authenticated-read"];
const encryptionAlgorithms = ["AES256", "aws:kms", "aws:kms:dsse"];
const anywhere = ["0.0.0.0/0", "::/0"];

/** No bucket, ACL or bucket policy makes data public. */
export const noPublicBucket: ResourceRule = {
  name: "s3-no-public-access",
  description: "S3 buckets block all public access: no public ACL, no policy granting to everyone",
  check(type, props) {
    if (bucketTypes.includes(type) && publicAcls.includes(String(props.acl))) {
      return [`bucket ACL "${String(props.acl)}" makes it public`];
    }
    if ((type === types.bucketAcl || type === types.bucketAclV2) && publicAcls.includes(String(props.acl))) {
      return [`bucket ACL "${String(props.acl)}" makes it public`];
    }
    if (type === types.publicAccessBlock) {
      const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
      const off = flags.filter((flag) => props[flag] !== true);
      return off.length === 0 ? [] : [`public access block leaves ${off.join(", ")} off`];
    }
    if (type === types.bucketPolicy) {
      return statementsOf(props.policy)
        .filter((s) => s.effect === "Allow" && grantsEveryone(s))
        .map((s) => `bucket policy statement ${s.sid ?? "(no Sid)"} allows everyone (Principal "*")`);
    }
    return [];
  },
};

/** Default encryption is on, with an algorithm S3 actually applies. */
export const bucketEncryption: ResourceRule = {
  name: "s3-default-encryption",
  description: "S3 default encryption uses SSE-S3 or SSE-KMS",
  check(type, props) {
    if (type !== types.encryption && type !== types.encryptionV2) return [];
    const rules = Array.isArray(props.rules) ? (props.rules as Props[]) : [];
    const algorithms = rules.map((rule) => (rule.applyServerSideEncryptionByDefault as Props | undefined)?.sseAlgorithm);
    if (algorithms.length === 0) return ["encryption configuration has no default encryption rule"];
    return algorithms
      .filter((algorithm) => !encryptionAlgorithms.includes(String(algorithm)))
      .map((algorithm) => `default encryption algorithm ${JSON.stringify(algorithm)} is not one of ${encryptionAlgorithms.join(", ")}`);
  },
};

/** Nothing is open to the internet. */
export const noPublicIngress: ResourceRule = {
  name: "no-public-ingress",
  description: "No security group rule allows ingress from 0.0.0.0/0 or ::/0",
  check(type, props) {
    if (type === types.securityGroup) {
      const ingress = Array.isArray(props.ingress) ? (props.ingress as Props[]) : [];
      return ingress.flatMap((rule) => openCidrs(rule).map((cidr) => `inline ingress rule allows ${cidr}`));
    }
    if (type === types.ingressRule) {
      return [props.cidrIpv4, props.cidrIpv6].filter((cidr) => anywhere.includes(String(cidr))).map((cidr) => `ingress rule allows ${String(cidr)}`);
    }
    if (type === types.securityGroupRule && props.type === "ingress") {
      return openCidrs(props).map((cidr) => `ingress rule allows ${cidr}`);
    }
    return [];
  },
};

/** The warehouse is reachable from the VPC only. */
export const redshiftNotPublic: ResourceRule = {
  name: "redshift-not-public",
  description: "Redshift workgroups and clusters are not publicly accessible",
  check(type, props) {
    if ((type === types.workgroup || type === types.redshiftCluster) && props.publiclyAccessible === true) {
      return ["publiclyAccessible is true"];
    }
    return [];
  },
};

/** Every permission names its actions. */
export const noWildcardActions: ResourceRule = {
  name: "iam-no-wildcard-actions",
  description: "IAM policies grant named actions only: no '*', no 's3:*', no 'NotAction'",
  check(type, props) {
    return identityStatements(type, props)
      .filter((s) => s.effect === "Allow")
      .flatMap((s) => [
        ...s.actions.filter((action) => action.includes("*")).map((action) => `statement ${s.sid ?? "(no Sid)"} allows wildcard action "${action}"`),
        ...(s.notActions.length > 0 ? [`statement ${s.sid ?? "(no Sid)"} uses NotAction`] : []),
      ]);
  },
};

/** `Resource: "*"` only where AWS offers nothing narrower. */
export const noWildcardResources: ResourceRule = {
  name: "iam-no-wildcard-resources",
  description: "IAM policies use Resource '*' only for actions that have no resource type",
  check(type, props) {
    return identityStatements(type, props)
      .filter((s) => s.effect === "Allow" && (s.resources.includes("*") || s.notResources.length > 0))
      .flatMap((s) => {
        const scopable = s.actions.filter((action) => !isUnscopable(action));
        return scopable.length === 0 && s.notResources.length === 0
          ? []
          : [`statement ${s.sid ?? "(no Sid)"} grants ${scopable.join(", ") || "actions"} on every resource`];
      });
  },
};

/** Logs do not pile up forever. */
export const logRetention: ResourceRule = {
  name: "log-retention-set",
  description: "CloudWatch log groups have a retention period",
  check(type, props) {
    if (type !== types.logGroup) return [];
    const days = props.retentionInDays;
    return typeof days === "number" && days > 0 ? [] : [`retentionInDays is ${JSON.stringify(days)}: set a retention period`];
  },
};

/** Fargate refuses other sizes at deploy time; catch them at preview. */
export const fargateTaskSize: ResourceRule = {
  name: "fargate-valid-size",
  description: "Fargate task definitions use a cpu/memory pair Fargate accepts",
  check(type, props) {
    if (type !== types.taskDefinition) return [];
    const compatibilities = Array.isArray(props.requiresCompatibilities) ? props.requiresCompatibilities : [];
    if (!compatibilities.includes("FARGATE")) return [];
    const problem = fargateSizeProblem(Number(props.cpu), Number(props.memory));
    return problem ? [problem] : [];
  },
};

/** Every bucket has a full public access block. */
export const bucketsHavePublicAccessBlock: StackRule = {
  name: "s3-public-access-block-present",
  description: "Every S3 bucket has a public access block with all four settings on",
  check: (resources) =>
    bucketsWithout(resources, (candidate) => candidate.type === types.publicAccessBlock && noPublicBucket.check(candidate.type, candidate.props).length === 0, "no public access block with all four settings on"),
};

/** Every bucket has default encryption configured. */
export const bucketsHaveEncryption: StackRule = {
  name: "s3-encryption-present",
  description: "Every S3 bucket has default encryption configured",
  check: (resources) =>
    bucketsWithout(
      resources,
      (candidate) => (candidate.type === types.encryption || candidate.type === types.encryptionV2) && bucketEncryption.check(candidate.type, candidate.props).length === 0,
      "no default encryption configuration",
    ),
};

/** Every bucket refuses plain HTTP. */
export const bucketsRequireTls: StackRule = {
  name: "s3-tls-only",
  description: "Every S3 bucket policy denies requests without TLS",
  check: (resources) =>
    bucketsWithout(
      resources,
      (candidate) =>
        candidate.type === types.bucketPolicy &&
        statementsOf(candidate.props.policy).some(
          (s) => s.effect === "Deny" && grantsEveryone(s) && s.condition?.Bool?.["aws:SecureTransport"]?.includes("false") === true,
        ),
      "no bucket policy denying requests without TLS",
    ),
};

/** Every rule of the pack, per resource. */
export const resourceRules: readonly ResourceRule[] = [
  noPublicBucket,
  bucketEncryption,
  noPublicIngress,
  redshiftNotPublic,
  noWildcardActions,
  noWildcardResources,
  logRetention,
  fargateTaskSize,
];

/** Every rule of the pack, per stack. */
export const stackRules: readonly StackRule[] = [bucketsHavePublicAccessBlock, bucketsHaveEncryption, bucketsRequireTls];

/** Runs every resource rule on one resource: `"<rule>: <message>"` per violation. */
export function resourceViolations(type: string, props: Props): string[] {
  return resourceRules.flatMap((rule) => rule.check(type, props).map((message) => `${rule.name}: ${message}`));
}

/** Runs every stack rule. */
export function stackViolations(resources: readonly StackResource[]): StackViolation[] {
  return stackRules.flatMap((rule) => rule.check(resources).map((v) => ({ ...v, message: `${rule.name}: ${v.message}` })));
}

function bucketsWithout(
  resources: readonly StackResource[],
  covers: (candidate: StackResource) => boolean,
  missing: string,
): StackViolation[] {
  const coverers = resources.filter(covers);
  return resources
    .filter((resource) => bucketTypes.includes(resource.type))
    .filter((bucket) => !coverers.some((coverer) => refersToBucket(coverer, bucket)))
    .map((bucket) => ({ urn: bucket.urn, message: `bucket ${String(bucket.props.bucket ?? bucket.urn)} has ${missing}` }));
}

/** A bucket sub-resource refers to its bucket by name (state) or by dependency (engine). */
function refersToBucket(candidate: StackResource, bucket: StackResource): boolean {
  if (candidate.propertyDependencies?.bucket?.includes(bucket.urn)) return true;
  const target = candidate.props.bucket;
  return typeof target === "string" && target !== "" && (target === bucket.props.bucket || target === bucket.props.id);
}

function statementsOf(document: unknown): ParsedStatement[] {
  if (document === undefined || document === null || document === "") return [];
  try {
    return parsePolicyDocument(document);
  } catch {
    return [];
  }
}

/** Permission statements of IAM resources (trust policies are not permissions). */
function identityStatements(type: string, props: Props): ParsedStatement[] {
  if (type === types.rolePolicy || type === types.policy || type === types.userPolicy || type === types.groupPolicy) {
    return statementsOf(props.policy);
  }
  if (type === types.role && Array.isArray(props.inlinePolicies)) {
    return (props.inlinePolicies as Props[]).flatMap((inline) => statementsOf(inline.policy));
  }
  return [];
}

function grantsEveryone(statement: ParsedStatement): boolean {
  const principal = statement.principal;
  if (principal === undefined) return false;
  return principal === "*" || Object.values(principal).some((ids) => ids.includes("*"));
}

function openCidrs(rule: Props): string[] {
  const cidrs = [
    ...(Array.isArray(rule.cidrBlocks) ? rule.cidrBlocks : []),
    ...(Array.isArray(rule.ipv6CidrBlocks) ? rule.ipv6CidrBlocks : []),
  ].map(String);
  return cidrs.filter((cidr) => anywhere.includes(cidr));
}
