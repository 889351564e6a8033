/**
 * The longest time between two runs of a schedule (pure), read from the cron model of
 * `schedule-expression.ts`: what the `no-recent-success` alarm waits before it says runs stopped.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 */
import { type CronFields, cronFieldKeys, cronFieldValues, parseScheduleExpression } from "./schedule-expression.ts";

const UNIT_SECONDS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86_400, days: 86_400 };

/**
 * The longest time between two runs of an EventBridge Scheduler expression, seconds:
 * `rate(1 day)` → 86400; `cron(0 3 * * ? *)` → 86400; `cron(0 6 ? * MON-FRI *)` → 259200 (Friday
 * to Monday). Cron is read in UTC; outside UTC a daylight-saving change can stretch one gap by an
 * hour, which `timeZone` adds. `undefined` for `at(…)`, an invalid expression, a year other than
 * `*` and the calendar forms (`L`, `W`, `#`): give the period explicitly then.
 */
export function schedulePeriodSeconds(expression: string, timeZone = "UTC"): number | undefined {
  const parsed = parseScheduleExpression(expression);
  if (!parsed.ok || parsed.expression.kind === "at") return undefined;
  const e = parsed.expression;
  if (e.kind === "rate") return e.value * UNIT_SECONDS[e.unit]!;
  const gap = longestCronGapSeconds(e.fields);
  if (gap === undefined) return undefined;
  return gap + (timeZone === "UTC" || timeZone === "Etc/UTC" ? 0 : 3600);
}

/** Longest gap between consecutive firings over two years (every calendar case recurs by then). */
function longestCronGapSeconds(fields: CronFields): number | undefined {
  if (fields.year !== "*") return undefined;
  const [minutes, hours, doms, months, dows] = cronFieldKeys.slice(0, 5).map((key) => cronFieldValues(key, fields[key]));
  if (!minutes || !hours || !doms || !months || !dows) return undefined;
  const times = [...hours].sort((a, b) => a - b).flatMap((h) => [...minutes].sort((a, b) => a - b).map((m) => (h * 60 + m) * 60));
  const start = Date.UTC(2025, 0, 1);
  let previous: number | undefined;
  let longest = 0;
  for (let day = 0; day < 2 * 366; day++) {
    const date = new Date(start + day * 86_400_000);
    // `?` selects the whole range, so the day matches when both fields allow it. EventBridge
    // numbers days of the week 1 (SUN) to 7 (SAT).
    if (!doms.has(date.getUTCDate()) || !dows.has(date.getUTCDay() + 1) || !months.has(date.getUTCMonth() + 1)) continue;
    for (const t of times) {
      const at = date.getTime() / 1000 + t;
      if (previous !== undefined) longest = Math.max(longest, at - previous);
      previous = at;
    }
  }
  return longest > 0 ? longest : undefined;
}
