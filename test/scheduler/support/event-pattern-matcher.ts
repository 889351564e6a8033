/**
 * A small EventBridge event-pattern matcher, so tests can ask "does this rule fire for this
 * event?" instead of comparing pattern strings. AWS's own matcher (Event Ruler) is Java, and
 * `TestEventPattern` needs an AWS account; this implements the part of content filtering the
 * project's patterns use, with AWS's documented semantics, and refuses everything else loudly.
 *
 * Supported:
 * - Fields: every field of the pattern must match (AND); nested objects nest; the event may
 *   have any other fields.
 * - Values: a pattern leaf is an array of conditions, any of which may match (OR). An event
 *   value that is an array matches when any element matches. An array of objects matches a
 *   nested pattern when one element matches all of it (Event Ruler's "array consistency").
 * - Conditions: exact values (strings, numbers compared as numbers, booleans, null),
 *   `prefix`, `suffix`, `equals-ignore-case`, `anything-but` (a value, a list, or a
 *   `prefix`/`suffix`), `numeric` (one or two comparisons), `exists`.
 * - `$or`: an array of two or more patterns, any of which may match at that level.
 *
 * Not supported (throws): `wildcard`, `cidr`, `equals-ignore-case` inside `prefix`/`suffix`,
 * and anything else.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 * @see https://github.com/aws/event-ruler#readme
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Pattern = { readonly [field: string]: unknown };

/** Whether `event` (parsed JSON) matches `pattern` (an object or its JSON text). */
export function matchesEventPattern(pattern: Pattern | string, event: unknown): boolean {
  const parsed: unknown = typeof pattern === "string" ? JSON.parse(pattern) : pattern;
  if (!isObject(parsed)) throw new Error(`an event pattern is a JSON object, not ${JSON.stringify(parsed)}`);
  return matchObject(parsed, event as Json, "");
}

function matchObject(pattern: Record<string, unknown>, event: Json | undefined, path: string): boolean {
  if (Object.keys(pattern).length === 0) throw new Error(`empty pattern object at ${path || "the top"}`);
  return Object.entries(pattern).every(([field, expected]) => {
    const where = path ? `${path}.${field}` : field;
    if (field === "$or") return matchOr(expected, event, where);
    const actual = isObject(event) ? event[field] : undefined;
    if (Array.isArray(expected)) return matchLeaf(expected, actual, where);
    if (isObject(expected)) {
      // Arrays of objects: one element must match the whole sub-pattern.
      if (Array.isArray(actual)) return actual.some((element) => matchObject(expected, element, where));
      return isObject(actual) && matchObject(expected, actual, where);
    }
    throw new Error(`pattern value at ${where} must be an array or an object, not ${JSON.stringify(expected)}`);
  });
}

function matchOr(alternatives: unknown, event: Json | undefined, where: string): boolean {
  if (!Array.isArray(alternatives) || alternatives.length < 2 || !alternatives.every(isObject)) {
    throw new Error(`${where} must be an array of at least two pattern objects`);
  }
  return alternatives.some((alternative) => matchObject(alternative, event, where));
}

/** A leaf: the event's value (or each element of an array value) against each condition. */
function matchLeaf(conditions: readonly unknown[], actual: Json | undefined, where: string): boolean {
  if (conditions.length === 0) throw new Error(`${where} has an empty list of values`);
  const leafPresent = actual !== undefined && !isObject(actual) && !(Array.isArray(actual) && actual.some(isObject));
  const values: Json[] = actual === undefined ? [] : Array.isArray(actual) ? actual : [actual];
  return conditions.some((condition) => {
    if (isObject(condition) && "exists" in condition) {
      if (Object.keys(condition).length !== 1 || typeof condition.exists !== "boolean") throw new Error(`${where}: exists takes true or false only`);
      return condition.exists === leafPresent;
    }
    return values.some((value) => matchCondition(condition, value, where));
  });
}

function matchCondition(condition: unknown, value: Json, where: string): boolean {
  if (!isObject(condition)) return equalValues(condition, value);
  const keys = Object.keys(condition);
  if (keys.length !== 1) throw new Error(`${where}: one operator per condition, got ${keys.join(", ")}`);
  const operator = keys[0]!;
  const operand = condition[operator];
  switch (operator) {
    case "prefix":
      return typeof value === "string" && value.startsWith(stringOperand(operand, operator, where));
    case "suffix":
      return typeof value === "string" && value.endsWith(stringOperand(operand, operator, where));
    case "equals-ignore-case":
      return typeof value === "string" && value.toLowerCase() === stringOperand(operand, operator, where).toLowerCase();
    case "anything-but":
      return anythingBut(operand, value, where);
    case "numeric":
      return typeof value === "number" && numeric(operand, value, where);
    default:
      throw new Error(`${where}: the matcher does not support "${operator}"`);
  }
}

function anythingBut(operand: unknown, value: Json, where: string): boolean {
  if (isObject(operand)) {
    const [operator, ...more] = Object.keys(operand);
    if (more.length > 0 || (operator !== "prefix" && operator !== "suffix")) {
      throw new Error(`${where}: anything-but supports a value, a list, prefix or suffix`);
    }
    const affix = stringOperand(operand[operator], operator, where);
    return typeof value === "string" && !(operator === "prefix" ? value.startsWith(affix) : value.endsWith(affix));
  }
  const excluded = Array.isArray(operand) ? operand : [operand];
  if (excluded.length === 0 || !(excluded.every((e) => typeof e === "string") || excluded.every((e) => typeof e === "number"))) {
    throw new Error(`${where}: anything-but lists are all strings or all numbers`);
  }
  return !excluded.some((e) => equalValues(e, value));
}

const comparisons: Record<string, (a: number, b: number) => boolean> = {
  "=": (a, b) => a === b,
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
};

function numeric(operand: unknown, value: number, where: string): boolean {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    throw new Error(`${where}: numeric takes [op, n] or [op, n, op, n]`);
  }
  for (let i = 0; i < operand.length; i += 2) {
    const compare = comparisons[String(operand[i])];
    const bound = operand[i + 1];
    if (!compare || typeof bound !== "number") throw new Error(`${where}: bad numeric comparison ${JSON.stringify(operand)}`);
    if (!compare(value, bound)) return false;
  }
  return true;
}

/** JSON values are equal when of the same type and value: `5` is not `"5"`, `3.018e2` is `301.8`. */
function equalValues(expected: unknown, value: Json): boolean {
  return expected === value;
}

function stringOperand(operand: unknown, operator: string, where: string): string {
  if (typeof operand !== "string") throw new Error(`${where}: ${operator} takes a string here, not ${JSON.stringify(operand)}`);
  return operand;
}

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
