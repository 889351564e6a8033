import assert from "node:assert/strict";
import fc from "fast-check";
import { cronFieldKeys, cronFieldValues, parseScheduleExpression, scheduleExpressionProblem, timeZoneProblem } from "../../scheduler/schedule-expression.ts";

describe("parseScheduleExpression", () => {
  describe("cron", () => {
    // The examples of AWS's cron documentation.
    const documented = [
      "cron(0 10 * * ? *)",
      "cron(15 12 * * ? *)",
      "cron(0 18 ? * MON-FRI *)",
      "cron(0 8 1 * ? *)",
      "cron(0/15 * * * ? *)",
      "cron(0/10 * ? * MON-FRI *)",
      "cron(0/5 8-17 ? * MON-FRI *)",
      "cron(0 9 ? * 2#1 *)",
      "cron(0 3 * * ? *)",
      "cron(0 0 L * ? *)",
      "cron(0 0 15W * ? *)",
      "cron(0 0 ? * 6L *)",
      "cron(30 2 ? JAN,JUL SUN 2026-2030)",
      "cron(0 */6 * * ? *)",
    ];
    for (const expression of documented) {
      it(`accepts ${expression}`, () => {
        const result = parseScheduleExpression(expression);
        assert.ok(result.ok, result.ok ? "" : result.problem);
        assert.equal(result.expression.kind, "cron");
      });
    }

    it("reads the six fields by name", () => {
      assert.deepEqual(parseScheduleExpression("cron(5 4 ? * MON-FRI 2030)"), {
        ok: true,
        expression: { kind: "cron", fields: { minutes: "5", hours: "4", dayOfMonth: "?", month: "*", dayOfWeek: "MON-FRI", year: "2030" } },
      });
    });

    const refused: [string, RegExp][] = [
      ["cron(0 3 * * *)", /^has 5 cron fields; EventBridge Scheduler needs 6: minutes hours day-of-month month day-of-week year/],
      ["cron(0 0 3 * * ? *)", /^has 7 cron fields/],
      ["cron(0 3 * * * *)", /^sets both day-of-month \(\*\) and day-of-week \(\*\); exactly one of them must be \?/],
      ["cron(0 3 ? * ? *)", /^has \? in both day-of-month and day-of-week/],
      ["cron(60 3 * * ? *)", /^has minutes 60, outside 0-59$/],
      ["cron(0 24 * * ? *)", /^has hours 24, outside 0-23$/],
      ["cron(0 3 32 * ? *)", /^has day-of-month 32, outside 1-31$/],
      ["cron(0 3 0 * ? *)", /^has day-of-month 0, outside 1-31$/],
      ["cron(0 3 * 13 ? *)", /^has month 13, outside 1-12 or JAN-DEC$/],
      ["cron(0 3 ? * 0 *)", /^has day-of-week 0, outside 1-7 or SUN-SAT$/],
      ["cron(0 3 ? * FUN *)", /^has day-of-week FUN: "FUN" is not 1-7 or SUN-SAT$/],
      ["cron(0 3 * * ? 1969)", /^has year 1969, outside 1970-2199$/],
      ["cron(0 3 * JANUARY ? *)", /^has month JANUARY: "JANUARY" is not 1-12 or JAN-DEC$/],
      ["cron(0 17-9 * * ? *)", /^has hours 17-9: the range 17-9 runs backwards/],
      ["cron(0/0 * * * ? *)", /^has minutes 0\/0: the step after \/ must be a whole number from 1 to 59$/],
      ["cron(? 3 * * ? *)", /^uses \? in minutes; \? is allowed only in day-of-month and day-of-week$/],
      ["cron(0 3 ? * MON#6 *)", /^has day-of-week MON#6: the week after # must be 1 to 5$/],
      ["cron(0  3 * * ? *)", /more than one space/],
      ["cron(0 3 L-2 * ? *)", /^has day-of-month L-2: "L" is not 1-31$/],
    ];
    for (const [expression, problem] of refused) {
      it(`refuses ${expression}, saying why`, () => {
        const result = parseScheduleExpression(expression);
        assert.equal(result.ok, false);
        assert.match(result.ok ? "" : result.problem, problem);
      });
    }

    const inRange = (min: number, max: number) => fc.integer({ min, max }).map(String);
    it("accepts any field values within AWS's ranges (property)", () => {
      fc.assert(
        fc.property(inRange(0, 59), inRange(0, 23), inRange(1, 31), inRange(1, 12), inRange(1, 7), inRange(1970, 2199), fc.boolean(), (mi, h, dom, mo, dow, y, byWeekday) => {
          const expression = byWeekday ? `cron(${mi} ${h} ? ${mo} ${dow} ${y})` : `cron(${mi} ${h} ${dom} ${mo} ? ${y})`;
          assert.equal(scheduleExpressionProblem(expression), undefined, expression);
        }),
      );
    });

    it("refuses any hour outside 0-23 (property)", () => {
      fc.assert(
        fc.property(fc.integer({ min: 24, max: 10_000 }), (hour) => {
          assert.match(scheduleExpressionProblem(`cron(0 ${hour} * * ? *)`) ?? "", /^has hours \d+, outside 0-23$/);
        }),
      );
    });
  });

  describe("rate", () => {
    for (const expression of ["rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)", "rate(7 days)"]) {
      it(`accepts ${expression}`, () => assert.equal(scheduleExpressionProblem(expression), undefined));
    }

    it("reads the value and the unit", () => {
      assert.deepEqual(parseScheduleExpression("rate(15 minutes)"), { ok: true, expression: { kind: "rate", value: 15, unit: "minutes" } });
    });

    const refused: [string, RegExp][] = [
      ["rate(0 minutes)", /^has rate value "0": it must be a whole number of at least 1$/],
      ["rate(1.5 hours)", /^has rate value "1\.5"/],
      ["rate(-1 days)", /^has rate value "-1"/],
      ["rate(1 minutes)", /^says rate\(1 minutes\): with a value of 1 the unit is singular, rate\(1 minute\)$/],
      ["rate(5 minute)", /^says rate\(5 minute\): with a value above 1 the unit is plural, rate\(5 minutes\)$/],
      ["rate(2 weeks)", /^has rate unit "weeks": use minute, minutes, hour, hours, day, days$/],
      ["rate(5)", /^is not a rate: use rate\(<n> <unit>\)/],
      ["rate(5 Minutes)", /^has rate unit "Minutes"/],
    ];
    for (const [expression, problem] of refused) {
      it(`refuses ${expression}, saying why`, () => assert.match(scheduleExpressionProblem(expression) ?? "", problem));
    }
  });

  describe("at", () => {
    it("accepts a one-time schedule at a real local date and time", () => {
      assert.deepEqual(parseScheduleExpression("at(2030-02-28T03:00:00)"), { ok: true, expression: { kind: "at", localTime: "2030-02-28T03:00:00" } });
    });

    it("refuses a date that does not exist, or another format", () => {
      assert.match(scheduleExpressionProblem("at(2030-02-30T03:00:00)") ?? "", /which is not a real date and time/);
      assert.match(scheduleExpressionProblem("at(2030-02-28 03:00)") ?? "", /use at\(yyyy-mm-ddThh:mm:ss\)/);
    });
  });

  it("refuses anything else, naming the three forms", () => {
    for (const expression of ["daily", "0 3 * * *", "every(1 day)", "CRON(0 3 * * ? *)"]) {
      assert.match(scheduleExpressionProblem(expression) ?? "", /^is not a schedule expression: use cron\(minutes hours day-of-month month day-of-week year\), rate\(/, expression);
    }
  });

  it("refuses spaces around the expression", () => {
    assert.match(scheduleExpressionProblem(" cron(0 3 * * ? *)") ?? "", /spaces around it/);
  });
});

describe("cronFieldValues", () => {
  const values = (key: Parameters<typeof cronFieldValues>[0], field: string) => {
    const set = cronFieldValues(key, field);
    return set === undefined ? undefined : [...set].sort((a, b) => a - b);
  };
  const span = (min: number, max: number, step = 1) => Array.from({ length: Math.floor((max - min) / step) + 1 }, (_, i) => min + i * step);

  it("expands steps, ranges, lists and names as AWS's examples mean them", () => {
    assert.deepEqual(values("minutes", "0/15"), [0, 15, 30, 45]);
    assert.deepEqual(values("minutes", "5/20"), [5, 25, 45]);
    assert.deepEqual(values("hours", "*/6"), [0, 6, 12, 18]);
    assert.deepEqual(values("hours", "8-17"), span(8, 17));
    assert.deepEqual(values("dayOfMonth", "1,15"), [1, 15]);
    assert.deepEqual(values("month", "JAN,JUL"), [1, 7]);
    assert.deepEqual(values("month", "jan-mar"), [1, 2, 3]);
    assert.deepEqual(values("year", "2026-2030"), span(2026, 2030));
  });

  it("numbers the days of the week from 1 = SUN to 7 = SAT, as EventBridge does", () => {
    assert.deepEqual(values("dayOfWeek", "MON-FRI"), [2, 3, 4, 5, 6]);
    assert.deepEqual(values("dayOfWeek", "SUN"), [1]);
    assert.deepEqual(values("dayOfWeek", "SAT"), [7]);
    assert.deepEqual(values("dayOfWeek", "1-7/2"), [1, 3, 5, 7]);
  });

  it("reads * and ? as the field's whole range", () => {
    assert.deepEqual(values("dayOfMonth", "?"), span(1, 31));
    assert.deepEqual(values("dayOfWeek", "?"), span(1, 7));
    assert.deepEqual(values("minutes", "*"), span(0, 59));
  });

  it("gives no set for the calendar forms, whose days change from month to month", () => {
    for (const [key, field] of [["dayOfMonth", "L"], ["dayOfMonth", "LW"], ["dayOfMonth", "15W"], ["dayOfWeek", "L"], ["dayOfWeek", "6L"], ["dayOfWeek", "2#1"], ["dayOfWeek", "MON#2"]] as const) {
      assert.equal(cronFieldValues(key, field), undefined, field);
    }
  });

  it("gives no set for a field the validation refuses", () => {
    for (const [key, field] of [["minutes", "60"], ["minutes", "?"], ["hours", "17-9"], ["dayOfWeek", "0"], ["dayOfWeek", "FUN"], ["month", "JANUARY"], ["minutes", "0/0"]] as const) {
      assert.equal(cronFieldValues(key, field), undefined, field);
    }
  });

  it("agrees with the validation on every field of every expression it accepts (property)", () => {
    const item = fc.oneof(
      fc.integer({ min: 0, max: 59 }).map(String),
      fc.tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
      fc.tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 1, max: 59 })).map(([a, n]) => `${a}/${n}`),
      fc.integer({ min: 1, max: 59 }).map((n) => `*/${n}`),
      fc.constantFrom("*", "MON", "FRI-SAT", "JAN", "MAR-NOV"),
    );
    fc.assert(
      fc.property(fc.constantFrom(...cronFieldKeys), fc.array(item, { minLength: 1, maxLength: 3 }), (key, items) => {
        const field = items.join(",");
        const fields = { minutes: "0", hours: "0", dayOfMonth: "*", month: "*", dayOfWeek: "?", year: "*", [key]: field };
        if (key === "dayOfWeek") fields.dayOfMonth = "?";
        const expression = `cron(${cronFieldKeys.map((k) => fields[k]).join(" ")})`;
        const accepted = scheduleExpressionProblem(expression) === undefined;
        const set = cronFieldValues(key, field);
        assert.equal(set !== undefined, accepted, `${key} ${field}: ${scheduleExpressionProblem(expression) ?? "accepted"}`);
        if (set) assert.ok(set.size > 0, `${key} ${field}`);
      }),
    );
  });
});

describe("timeZoneProblem", () => {
  for (const zone of ["UTC", "Europe/Berlin", "America/New_York", "America/Argentina/Buenos_Aires", "Asia/Kolkata", "Etc/GMT+5", "US/Eastern"]) {
    it(`accepts ${zone}`, () => assert.equal(timeZoneProblem(zone), undefined));
  }

  it("refuses a name that is not in the IANA database", () => {
    assert.match(timeZoneProblem("Mars/Olympus_Mons") ?? "", /^is not an IANA time zone name/);
    assert.match(timeZoneProblem("CEST") ?? "", /^is not an IANA time zone name/);
  });

  it("refuses an offset, naming the alternative", () => {
    assert.match(timeZoneProblem("+01:00") ?? "", /^is an offset; use an IANA time zone name/);
  });

  it("refuses the wrong capitals and suggests the right spelling", () => {
    assert.equal(timeZoneProblem("europe/berlin"), "is spelled with the wrong capitals; time zone names are case-sensitive: use Europe/Berlin");
    assert.match(timeZoneProblem("us/eastern") ?? "", /wrong capitals/);
  });

  it("refuses an empty name", () => {
    assert.match(timeZoneProblem("") ?? "", /must be an IANA time zone name/);
  });
});
