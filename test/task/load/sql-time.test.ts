import assert from "node:assert/strict";
import { nowSql, timestampSql, timestampType } from "../../../task/src/load/sql-time.ts";

describe("timestampSql", () => {
  it("writes UTC without a zone for Redshift's TIMESTAMP", () => {
    assert.equal(timestampSql("redshift", "2026-11-26T10:45:12.123Z"), "CAST('2026-11-26 10:45:12.123' AS TIMESTAMP)");
  });

  it("writes ISO with its zone for Postgres's TIMESTAMPTZ, normalised to UTC", () => {
    assert.equal(timestampSql("postgres", "2026-11-26T11:45:12+01:00"), "CAST('2026-11-26T10:45:12.000Z' AS TIMESTAMPTZ)");
  });

  it("rejects text that is not a date", () => {
    assert.throws(() => timestampSql("postgres", "yesterday"), /not an ISO timestamp/);
  });
});

describe("nowSql and timestampType", () => {
  it("use each dialect's clock and type", () => {
    assert.equal(nowSql("redshift"), "GETDATE()");
    assert.equal(nowSql("postgres"), "now()");
    assert.equal(timestampType("redshift"), "TIMESTAMP");
    assert.equal(timestampType("postgres"), "TIMESTAMPTZ");
  });
});
