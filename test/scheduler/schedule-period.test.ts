import assert from "node:assert/strict";
import { schedulePeriodSeconds } from "../../scheduler/schedule-period.ts";

describe("schedulePeriodSeconds", () => {
  it("reads rate expressions", () => {
    assert.equal(schedulePeriodSeconds("rate(1 day)"), 86_400);
    assert.equal(schedulePeriodSeconds("rate(15 minutes)"), 900);
    assert.equal(schedulePeriodSeconds("rate(6 hours)"), 21_600);
  });

  it("finds the longest gap of a cron expression", () => {
    assert.equal(schedulePeriodSeconds("cron(0 3 * * ? *)"), 86_400);
    assert.equal(schedulePeriodSeconds("cron(0 3,15 * * ? *)"), 43_200);
    assert.equal(schedulePeriodSeconds("cron(0 9,10 * * ? *)"), 23 * 3600);
    assert.equal(schedulePeriodSeconds("cron(0/15 * * * ? *)"), 900);
    assert.equal(schedulePeriodSeconds("cron(0 6 ? * MON-FRI *)"), 3 * 86_400);
    assert.equal(schedulePeriodSeconds("cron(30 2 ? * 1 *)"), 7 * 86_400);
  });

  it("reads steps from a start value, month names and lower-case names as the validation does", () => {
    // The 5th, 15th and 25th: the longest gap runs from the 25th of a 31-day month to the 5th.
    assert.equal(schedulePeriodSeconds("cron(0 3 5/10 * ? *)"), 11 * 86_400);
    assert.equal(schedulePeriodSeconds("cron(0 6 ? * mon-fri *)"), 3 * 86_400);
    // The 1st of January and of July: 184 days from July to January.
    assert.equal(schedulePeriodSeconds("cron(0 0 1 JAN,JUL ? *)"), 184 * 86_400);
  });

  it("adds an hour for a daylight-saving change outside UTC", () => {
    assert.equal(schedulePeriodSeconds("cron(0 3 * * ? *)", "Europe/Berlin"), 90_000);
    assert.equal(schedulePeriodSeconds("rate(1 day)", "Europe/Berlin"), 86_400);
  });

  it("gives up on one-off schedules and cron forms it does not evaluate", () => {
    assert.equal(schedulePeriodSeconds("at(2030-01-31T03:00:00)"), undefined);
    assert.equal(schedulePeriodSeconds("cron(0 3 L * ? *)"), undefined);
    assert.equal(schedulePeriodSeconds("cron(0 3 ? * 2#1 *)"), undefined);
    assert.equal(schedulePeriodSeconds("cron(0 3 LW * ? *)"), undefined);
    assert.equal(schedulePeriodSeconds("cron(0 3 * * ? 2030)"), undefined);
    assert.equal(schedulePeriodSeconds("cron(0 3 * * * *)"), undefined);
    assert.equal(schedulePeriodSeconds("every day"), undefined);
  });
});

