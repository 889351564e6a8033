/**
 * The IAM policies the Pulumi program renders, taken from the resources it registered under
 * mocks (see `pulumi-mocks.ts`) and indexed the way AWS applies them: a role's identity policies
 * and trust policy by the role's ARN, a resource policy by the ARN of the resource it guards.
 * ARNs and names come from the recorded state only, so this works with any fake ARN format.
 */
import type { RecordedResource } from "./pulumi-mocks.ts";

/** An IAM policy document as JSON would parse it. */
export type PolicyDocument = { Version?: string; Statement: unknown };

/** One rendered policy document and where it came from (`<type> <logical name>`). */
export interface RenderedDocument {
  readonly source: string;
  readonly document: PolicyDocument;
}

/** One role as AWS will hold it. */
export interface RenderedRole {
  readonly arn: string;
  readonly name: string;
  readonly trustPolicy: PolicyDocument;
  /** Inline and attached policies. */
  readonly identityPolicies: ReadonlyArray<{ readonly name: string; readonly policy: PolicyDocument }>;
}

/** Everything the simulator needs to know about the program's policies. */
export interface RenderedPolicies {
  /** Roles by ARN. */
  readonly roles: ReadonlyMap<string, RenderedRole>;
  /**
   * Resource policies by the ARN of the resource they guard: SNS topic, KMS key, S3 bucket,
   * SQS queue. (A role's trust policy is in {@link roles}.)
   */
  readonly resourcePolicies: ReadonlyMap<string, RenderedDocument>;
  /** Every policy document found anywhere in the resources' inputs, attached or not. */
  readonly documents: readonly RenderedDocument[];
}

const types = {
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  key: "aws:kms/key:Key",
  bucket: "aws:s3/bucket:Bucket",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  queue: "aws:sqs/queue:Queue",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
} as const;

/**
 * Collects the program's policies from its recorded resources. Throws when a policy is attached
 * to something it cannot resolve (a role or bucket that was not recorded, an AWS managed policy
 * whose text is not in the program), so nothing is left out of a simulation unnoticed.
 */
export function renderedPolicies(resources: readonly RecordedResource[]): RenderedPolicies {
  const ofType = (type: string) => resources.filter((r) => r.custom && r.type === type);
  const roleByReference = (reference: unknown, where: string) => {
    const role = ofType(types.role).find((r) => [r.state.id, r.state.name, r.state.arn].includes(reference));
    if (!role) throw new Error(`${where} names role ${JSON.stringify(reference)}, which the program did not register`);
    return role;
  };

  const identity = new Map<string, { name: string; policy: PolicyDocument }[]>();
  const addIdentity = (role: RecordedResource, name: string, policy: unknown, where: string) => {
    const arn = String(role.state.arn);
    identity.set(arn, [...(identity.get(arn) ?? []), { name, policy: documentOf(policy, where) }]);
  };
  for (const role of ofType(types.role)) {
    const inline = (role.inputs.inlinePolicies ?? []) as { name?: string; policy?: string }[];
    inline.forEach((p, i) => addIdentity(role, p.name ?? `${role.name}-inline-${i}`, p.policy, `${role.type} ${role.name}`));
    if (Array.isArray(role.inputs.managedPolicyArns) && role.inputs.managedPolicyArns.length > 0) {
      throw new Error(`${role.name}: managedPolicyArns is not read by this helper; attach policies with RolePolicyAttachment`);
    }
  }
  for (const rolePolicy of ofType(types.rolePolicy)) {
    const where = `${rolePolicy.type} ${rolePolicy.name}`;
    addIdentity(roleByReference(rolePolicy.inputs.role, where), rolePolicy.name, rolePolicy.inputs.policy, where);
  }
  for (const attachment of ofType(types.attachment)) {
    const where = `${attachment.type} ${attachment.name}`;
    const policy = ofType(types.policy).find((p) => p.state.arn === attachment.inputs.policyArn);
    // An AWS managed policy's text is not in the program: the simulation would be blind to it.
    if (!policy) throw new Error(`${where} attaches ${String(attachment.inputs.policyArn)}, a policy the program does not render`);
    addIdentity(roleByReference(attachment.inputs.role, where), policy.name, policy.inputs.policy, where);
  }

  const roles = new Map<string, RenderedRole>();
  for (const role of ofType(types.role)) {
    const arn = String(role.state.arn);
    roles.set(arn, {
      arn,
      name: String(role.state.name ?? role.state.id),
      trustPolicy: documentOf(role.inputs.assumeRolePolicy, `${role.type} ${role.name}`),
      identityPolicies: identity.get(arn) ?? [],
    });
  }

  const resourcePolicies = new Map<string, RenderedDocument>();
  const guard = (arn: unknown, holder: RecordedResource, policy: unknown) => {
    const source = `${holder.type} ${holder.name}`;
    if (typeof arn !== "string") throw new Error(`${source}: cannot tell which resource its policy guards`);
    if (resourcePolicies.has(arn)) throw new Error(`${source}: ${arn} already has a policy (${resourcePolicies.get(arn)!.source}); AWS keeps one`);
    resourcePolicies.set(arn, { source, document: documentOf(policy, source) });
  };
  const stateOf = (type: string, matches: (r: RecordedResource) => boolean, where: string) => {
    const found = ofType(type).find(matches);
    if (!found) throw new Error(`${where}: no ${type} it refers to`);
    return found.state;
  };
  for (const p of ofType(types.topicPolicy)) {
    guard(stateOf(types.topic, (t) => t.state.arn === p.inputs.arn, p.name).arn, p, p.inputs.policy);
  }
  for (const key of ofType(types.key)) if (key.inputs.policy !== undefined) guard(key.state.arn, key, key.inputs.policy);
  for (const p of ofType(types.bucketPolicy)) {
    guard(stateOf(types.bucket, (b) => b.state.id === p.inputs.bucket || b.state.bucket === p.inputs.bucket, p.name).arn, p, p.inputs.policy);
  }
  for (const p of ofType(types.queuePolicy)) {
    guard(stateOf(types.queue, (q) => q.state.url === p.inputs.queueUrl || q.state.id === p.inputs.queueUrl, p.name).arn, p, p.inputs.policy);
  }

  return { roles, resourcePolicies, documents: resources.flatMap((r) => documentsIn(r.inputs, `${r.type} ${r.name}`)) };
}

/** Every string or object in `value` (at any depth) that is an IAM policy document. */
function documentsIn(value: unknown, source: string): RenderedDocument[] {
  if (typeof value === "string") {
    if (!value.includes('"Statement"')) return [];
    try {
      const parsed: unknown = JSON.parse(value);
      return isDocument(parsed) ? [{ source, document: parsed }] : [];
    } catch {
      return [];
    }
  }
  if (isDocument(value)) return [{ source, document: value }];
  if (Array.isArray(value)) return value.flatMap((v) => documentsIn(v, source));
  if (value && typeof value === "object") return Object.values(value).flatMap((v) => documentsIn(v, source));
  return [];
}

function documentOf(value: unknown, where: string): PolicyDocument {
  const parsed: unknown = typeof value === "string" ? JSON.parse(value) : value;
  if (!isDocument(parsed)) throw new Error(`${where}: not an IAM policy document: ${JSON.stringify(value)}`);
  return parsed;
}

function isDocument(value: unknown): value is PolicyDocument {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "Statement" in value;
}

/** The statements of a document, widened to a list. */
export function statementsOf(document: PolicyDocument): Record<string, unknown>[] {
  return (Array.isArray(document.Statement) ? document.Statement : [document.Statement]) as Record<string, unknown>[];
}
