/**
 * IAM policy statements as data, and the one place they are rendered to (and read back from)
 * IAM's JSON. Role builders (`task-role.ts`, `execution-role.ts`, `copy-role.ts`) return
 * {@link PolicyStatement} lists over plain ARNs; components render them once.
 */

/** One IAM condition: `{ "<test>": { "<variable>": [values] } }`. */
export interface PolicyCondition {
  /** Operator, e.g. `StringLike`, `StringEquals`, `Bool`, `ArnLike`. */
  readonly test: string;
  /** Condition key, e.g. `s3:prefix`, `aws:SecureTransport`. */
  readonly variable: string;
  /** Values compared with the key. */
  readonly values: readonly string[];
}

/** Who a resource policy or trust policy applies to. */
export type PolicyPrincipal =
  | { readonly type: "Service"; readonly identifiers: readonly string[] }
  | { readonly type: "AWS"; readonly identifiers: readonly string[] }
  | { readonly type: "*" };

/** One statement. `resources` is omitted only in trust policies. */
export interface PolicyStatement {
  /** Statement id: says what the statement is for, e.g. `ReadInput`. */
  readonly sid: string;
  /** Default `Allow`. */
  readonly effect?: "Allow" | "Deny";
  /** IAM action names, e.g. `s3:GetObject`. */
  readonly actions: readonly string[];
  /** Resource ARNs (patterns). */
  readonly resources?: readonly string[];
  /** Principal, for resource and trust policies. */
  readonly principal?: PolicyPrincipal;
  /** Conditions; all must hold. */
  readonly conditions?: readonly PolicyCondition[];
}

/** Renders statements into an IAM policy document (JSON). */
export function renderPolicyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements.map(renderStatement) });
}

function renderStatement(statement: PolicyStatement): Record<string, unknown> {
  const rendered: Record<string, unknown> = { Sid: statement.sid, Effect: statement.effect ?? "Allow" };
  if (statement.principal) rendered.Principal = renderPrincipal(statement.principal);
  rendered.Action = [...statement.actions];
  if (statement.resources) rendered.Resource = [...statement.resources];
  if (statement.conditions && statement.conditions.length > 0) {
    const condition: Record<string, Record<string, string[]>> = {};
    for (const { test, variable, values } of statement.conditions) {
      condition[test] = { ...condition[test], [variable]: [...values] };
    }
    rendered.Condition = condition;
  }
  return rendered;
}

function renderPrincipal(principal: PolicyPrincipal): unknown {
  return principal.type === "*" ? "*" : { [principal.type]: [...principal.identifiers] };
}

/** A statement read back from JSON, with single values widened to lists. */
export interface ParsedStatement {
  readonly sid?: string;
  readonly effect: string;
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly notResources: string[];
  /** `*`, or principal type to identifiers. */
  readonly principal?: "*" | Record<string, string[]>;
  readonly condition?: Record<string, Record<string, string[]>>;
}

/**
 * Reads an IAM policy document (a JSON string, or an already parsed object) into
 * {@link ParsedStatement}s. Used by tests and the policy pack, so both see what AWS will see.
 * Throws on a document that is not JSON or has no `Statement`.
 */
export function parsePolicyDocument(document: unknown): ParsedStatement[] {
  const parsed: unknown = typeof document === "string" ? JSON.parse(document) : document;
  if (!isRecord(parsed) || parsed.Statement === undefined) {
    throw new Error(`not an IAM policy document: ${JSON.stringify(document)}`);
  }
  const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  return statements.map((raw: unknown) => {
    if (!isRecord(raw)) throw new Error(`not an IAM statement: ${JSON.stringify(raw)}`);
    return {
      ...(typeof raw.Sid === "string" ? { sid: raw.Sid } : {}),
      effect: String(raw.Effect),
      actions: list(raw.Action),
      notActions: list(raw.NotAction),
      resources: list(raw.Resource),
      notResources: list(raw.NotResource),
      ...(raw.Principal === undefined ? {} : { principal: parsePrincipal(raw.Principal) }),
      ...(isRecord(raw.Condition) ? { condition: parseCondition(raw.Condition) } : {}),
    };
  });
}

function parsePrincipal(principal: unknown): "*" | Record<string, string[]> {
  if (principal === "*") return "*";
  if (!isRecord(principal)) return {};
  return Object.fromEntries(Object.entries(principal).map(([kind, ids]) => [kind, list(ids)]));
}

function parseCondition(condition: Record<string, unknown>): Record<string, Record<string, string[]>> {
  return Object.fromEntries(
    Object.entries(condition).map(([test, pairs]) => [
      test,
      isRecord(pairs) ? Object.fromEntries(Object.entries(pairs).map(([key, values]) => [key, list(values)])) : {},
    ]),
  );
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
