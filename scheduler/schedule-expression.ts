/**
 * EventBridge Scheduler expressions and time zones, checked before `pulumi up` (pure).
 *
 * EventBridge Scheduler takes three kinds of expression:
 * - `cron(minutes hours day-of-month month day-of-week year)`: six fields, read in the schedule's
 *   time zone; exactly one of day-of-month and day-of-week is `?`.
 * - `rate(value unit)`: a positive whole number and `minute(s)`, `hour(s)` or `day(s)`; the unit
 *   is singular when the value is 1 (`rate(1 hour)`, `rate(2 hours)`).
 * - `at(yyyy-mm-ddThh:mm:ss)`: one run at that local time.
 *
 * The AWS API refuses a bad expression only when the schedule is created, half-way through a
 * deployment; these checks refuse it with the field, the value and what is allowed.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-cron-expressions
 */

/** A parsed, valid expression. */
export type ScheduleExpression =
  | { readonly kind: "cron"; readonly fields: CronFields }
  | { readonly kind: "rate"; readonly value: number; readonly unit: RateUnit }
  | { readonly kind: "at"; readonly localTime: string };

/** The six fields of a cron expression, as written. */
export interface CronFields {
  readonly minutes: string;
  readonly hours: string;
  readonly dayOfMonth: string;
  readonly month: string;
  readonly dayOfWeek: string;
  readonly year: string;
}

/** Units a rate expression takes. */
export const rateUnits = ["minute", "minutes", "hour", "hours", "day", "days"] as const;
export type RateUnit = (typeof rateUnits)[number];

/** The result of {@link parseScheduleExpression}: data, never thrown. */
export type ScheduleExpressionResult =
  | { readonly ok: true; readonly expression: ScheduleExpression }
  | { readonly ok: false; readonly problem: string };

/** What each cron field accepts. */
interface CronFieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names accepted in place of numbers (index 0 is `min`), e.g. JAN–DEC. */
  readonly names?: readonly string[];
}

const months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const weekdays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** The fields in order, with AWS's ranges. */
const cronFieldSpecs: readonly CronFieldSpec[] = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: months },
  { name: "day-of-week", min: 1, max: 7, names: weekdays },
  { name: "year", min: 1970, max: 2199 },
];

const usage = "cron(minutes hours day-of-month month day-of-week year), rate(<n> minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss)";

/**
 * Parses and checks a schedule expression. Problems read as the rest of a sentence after the
 * config key, e.g. `has 5 cron fields; EventBridge Scheduler needs 6: …`.
 */
export function parseScheduleExpression(text: string): ScheduleExpressionResult {
  const trimmed = text.trim();
  if (trimmed !== text) return fail("has spaces around it; remove them");
  const match = /^(cron|rate|at)\((.*)\)$/s.exec(text);
  if (!match) return fail(`is not a schedule expression: use ${usage}`);
  const [, kind, body] = match as unknown as [string, "cron" | "rate" | "at", string];
  switch (kind) {
    case "cron":
      return parseCron(body);
    case "rate":
      return parseRate(body);
    case "at":
      return parseAt(body);
  }
}

/** The problem with an expression, or `undefined` when it is valid. */
export function scheduleExpressionProblem(text: string): string | undefined {
  const result = parseScheduleExpression(text);
  return result.ok ? undefined : result.problem;
}

function fail(problem: string): ScheduleExpressionResult {
  return { ok: false, problem };
}

function parseRate(body: string): ScheduleExpressionResult {
  const match = /^(\S+) (\S+)$/.exec(body);
  if (!match) return fail("is not a rate: use rate(<n> <unit>) with one space, e.g. rate(15 minutes) or rate(1 day)");
  const [, rawValue, rawUnit] = match as unknown as [string, string, string];
  if (!/^[1-9]\d*$/.test(rawValue)) return fail(`has rate value "${rawValue}": it must be a whole number of at least 1`);
  const unit = rawUnit as RateUnit;
  if (!rateUnits.includes(unit)) return fail(`has rate unit "${rawUnit}": use ${rateUnits.join(", ")}`);
  const value = Number(rawValue);
  const singular = !unit.endsWith("s");
  if (value === 1 && !singular) return fail(`says rate(1 ${unit}): with a value of 1 the unit is singular, rate(1 ${unit.slice(0, -1)})`);
  if (value !== 1 && singular) return fail(`says rate(${value} ${unit}): with a value above 1 the unit is plural, rate(${value} ${unit}s)`);
  return { ok: true, expression: { kind: "rate", value, unit } };
}

function parseAt(body: string): ScheduleExpressionResult {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!match) return fail(`has at(${body}): use at(yyyy-mm-ddThh:mm:ss), e.g. at(2030-01-31T03:00:00)`);
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const real =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  if (!real) return fail(`has at(${body}), which is not a real date and time`);
  return { ok: true, expression: { kind: "at", localTime: body } };
}

function parseCron(body: string): ScheduleExpressionResult {
  const parts = body.split(" ");
  if (parts.some((part) => part === "")) return fail("separates its cron fields with more than one space; use exactly one");
  if (parts.length !== 6) {
    return fail(
      `has ${parts.length} cron field${parts.length === 1 ? "" : "s"}; EventBridge Scheduler needs 6: minutes hours day-of-month month day-of-week year, e.g. cron(0 3 * * ? *)`,
    );
  }
  for (const [index, spec] of cronFieldSpecs.entries()) {
    const problem = cronFieldProblem(parts[index]!, spec);
    if (problem) return fail(problem);
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = parts as [string, string, string, string, string, string];
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
    return fail(
      dayOfMonth === "?"
        ? "has ? in both day-of-month and day-of-week; exactly one of them must be ?, e.g. cron(0 3 * * ? *)"
        : `sets both day-of-month (${dayOfMonth}) and day-of-week (${dayOfWeek}); exactly one of them must be ?, e.g. cron(0 3 * * ? *) or cron(0 3 ? * MON-FRI *)`,
    );
  }
  return { ok: true, expression: { kind: "cron", fields: { minutes, hours, dayOfMonth, month, dayOfWeek, year } } };
}

/**
 * The calendar forms: `L`, `LW` and `nW` in day-of-month, `L`, `dL` and `d#n` in day-of-week.
 * They pick different days each month, so no fixed set of values stands for them.
 */
function isCalendarForm(field: string, spec: CronFieldSpec): boolean {
  if (spec.name === "day-of-month") return /^(L|LW|\d+W)$/.test(field);
  if (spec.name === "day-of-week") return /^(L|[^#L]+L|[^#L]+#\d+)$/.test(field);
  return false;
}

/** Checks one cron field: a `,` list of `*`, values, ranges and steps, or a special form. */
function cronFieldProblem(field: string, spec: CronFieldSpec): string | undefined {
  if (field === "?") {
    return spec.name === "day-of-month" || spec.name === "day-of-week"
      ? undefined
      : `uses ? in ${spec.name}; ? is allowed only in day-of-month and day-of-week`;
  }
  if (spec.name === "day-of-month" && isCalendarForm(field, spec)) {
    const day = /^(\d+)W$/.exec(field)?.[1];
    return day === undefined || inRange(Number(day), spec) ? undefined : outOfRange(field, spec);
  }
  if (spec.name === "day-of-week" && isCalendarForm(field, spec)) {
    const [day, nth] = field === "L" ? [] : field.split(/L|#/);
    if (day !== undefined && valueOf(day, spec) === undefined) return badValue(field, day, spec);
    if (nth !== undefined && nth !== "" && !/^[1-5]$/.test(nth)) return `has day-of-week ${field}: the week after # must be 1 to 5`;
    return undefined;
  }
  for (const item of field.split(",")) {
    const problem = cronItemProblem(item, field, spec);
    if (problem) return problem;
  }
  return undefined;
}

/** One list item: `*`, `*\/n`, `a`, `a/n`, `a-b` or `a-b/n`. */
function cronItemProblem(item: string, field: string, spec: CronFieldSpec): string | undefined {
  const [range, step, extra] = item.split("/");
  if (extra !== undefined || range === undefined || range === "") return badValue(field, item, spec);
  if (step !== undefined && (!/^[1-9]\d*$/.test(step) || Number(step) > spec.max)) {
    return `has ${spec.name} ${field}: the step after / must be a whole number from 1 to ${spec.max}`;
  }
  if (range === "*") return undefined;
  const bounds = range.split("-");
  if (bounds.length > 2) return badValue(field, item, spec);
  const values = bounds.map((bound) => valueOf(bound, spec));
  const bad = bounds.find((_, i) => values[i] === undefined);
  if (bad !== undefined) return badValue(field, bad, spec);
  if (values.length === 2 && values[0]! > values[1]!) {
    return `has ${spec.name} ${field}: the range ${range} runs backwards; write the smaller value first`;
  }
  return undefined;
}

/** The six fields' keys, in the order a cron expression writes them. */
export const cronFieldKeys = ["minutes", "hours", "dayOfMonth", "month", "dayOfWeek", "year"] as const satisfies readonly (keyof CronFields)[];

/**
 * The values one field of a valid cron expression selects, expanded by the grammar the checks
 * above read: `*` and `?` are the field's whole range, `a-b` a range, `a/n` and `*\/n` steps
 * up to the field's end, names (JAN, MON) their numbers (day-of-week 1 = SUN to 7 = SAT).
 * `undefined` for a field the checks refuse and for the calendar forms (`L`, `W`, `#`), which
 * select different days each month.
 *
 * This is the one reading of cron in the project: the schedule's validation and the
 * `no-recent-success` alarm's period (`schedule-period.ts`) both go through it. It is
 * hand-written because no well-kept npm library reads EventBridge's dialect faithfully
 * (checked with `npm view` and the packages' docs): `cron-parser` 5.10 and `croner` 11.0 take
 * an optional leading seconds field and no year field (croner: Hexagon/croner#209), and number
 * days of the week from 0 = SUN where EventBridge has 1 = SUN, so `cron(0 3 ? * 2 *)` would
 * mean Tuesday instead of Monday; `aws-cron-parser` 1.1.12 reads the AWS fields but only
 * computes occurrences, with no per-field problem to refuse a bad expression before
 * `pulumi up`. None is installed here; the cases in test/scheduler/ pin this reading.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-cron-expressions
 */
export function cronFieldValues(key: keyof CronFields, field: string): ReadonlySet<number> | undefined {
  const spec = cronFieldSpecs[cronFieldKeys.indexOf(key)]!;
  if (cronFieldProblem(field, spec) !== undefined || isCalendarForm(field, spec)) return undefined;
  if (field === "?") return rangeSet(spec.min, spec.max, 1);
  const values = new Set<number>();
  for (const item of field.split(",")) {
    const [range, step] = item.split("/") as [string, string | undefined];
    const bounds = range === "*" ? [spec.min, spec.max] : range.split("-").map((bound) => valueOf(bound, spec)!);
    const start = bounds[0]!;
    const end = bounds.length === 2 ? bounds[1]! : step !== undefined ? spec.max : start;
    for (const value of rangeSet(start, end, step === undefined ? 1 : Number(step))) values.add(value);
  }
  return values;
}

function rangeSet(min: number, max: number, step: number): Set<number> {
  const values = new Set<number>();
  for (let value = min; value <= max; value += step) values.add(value);
  return values;
}

/** A number (or name) in the field's range, or `undefined`. */
function valueOf(text: string, spec: CronFieldSpec): number | undefined {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    return inRange(value, spec) ? value : undefined;
  }
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  return named >= 0 ? spec.min + named : undefined;
}

function inRange(value: number, spec: CronFieldSpec): boolean {
  return value >= spec.min && value <= spec.max;
}

function badValue(field: string, value: string, spec: CronFieldSpec): string {
  return /^\d+$/.test(value) ? outOfRange(field, spec) : `has ${spec.name} ${field}: "${value}" is not ${allowed(spec)}`;
}

function outOfRange(field: string, spec: CronFieldSpec): string {
  return `has ${spec.name} ${field}, outside ${allowed(spec)}`;
}

function allowed(spec: CronFieldSpec): string {
  const names = spec.names ? ` or ${spec.names[0]}-${spec.names[spec.names.length - 1]}` : "";
  return `${spec.min}-${spec.max}${names}`;
}

/**
 * The problem with a time zone name, or `undefined` when EventBridge Scheduler will take it:
 * an IANA name such as `UTC`, `Europe/Berlin` or `America/New_York`, spelled with its capitals.
 * Offsets (`+01:00`) and abbreviations other than IANA's own are refused.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#time-zones
 */
export function timeZoneProblem(name: string): string | undefined {
  if (name.trim() === "") return "must be an IANA time zone name such as UTC or Europe/Berlin";
  if (/^[+-]|^\d/.test(name)) return "is an offset; use an IANA time zone name such as UTC or Europe/Berlin instead";
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return "is not an IANA time zone name; use one such as UTC, Europe/Berlin or America/New_York";
  }
  if (canonical !== name && canonical.toLowerCase() === name.toLowerCase()) {
    return `is spelled with the wrong capitals; time zone names are case-sensitive: use ${canonical}`;
  }
  if (name.split("/").some((segment) => !/^[A-Z]/.test(segment))) {
    return "is spelled with the wrong capitals; time zone names are case-sensitive, e.g. America/New_York";
  }
  return undefined;
}
