import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { isMissingTableError, ledgerRunRows, parseWarehouseCount, parseWarehouseTime, readRecentRuns } from "../../../task/src/load/ledger-history.ts";

describe("parseWarehouseTime", () => {
  it("reads Postgres dates and Redshift's zone-less UTC text", () => {
    const at = new Date("2026-11-26T10:45:12.123Z");
    assert.equal(parseWarehouseTime(at), at);
    assert.equal(parseWarehouseTime("2026-11-26 10:45:12").toISOString(), "2026-11-26T10:45:12.000Z");
    assert.equal(parseWarehouseTime("2026-11-26 10:45:12.123456").toISOString(), "2026-11-26T10:45:12.123Z");
    assert.equal(parseWarehouseTime("2026-11-26 11:45:12+01").toISOString(), "2026-11-26T10:45:12.000Z");
  });

  it("refuses what is not a time", () => {
    assert.throws(() => parseWarehouseTime("yesterday"), EtlError);
    assert.throws(() => parseWarehouseTime(3), EtlError);
  });
});

describe("parseWarehouseCount", () => {
  it("reads numbers, bigints and node-postgres's BIGINT text", () => {
    assert.deepEqual([5, 5n, "5", " 12 "].map(parseWarehouseCount), [5, 5, 5, 12]);
  });

  it("refuses fractions and text", () => {
    for (const value of [1.5, "1.5", "x", null]) assert.throws(() => parseWarehouseCount(value), EtlError);
  });
});

describe("ledgerRunRows", () => {
  it("reads rows in the query's column order", () => {
    const [run] = ledgerRunRows([["r1", "[]", "10", 8, 1, 1, 7, 1, "loaded", "2026-11-26 03:00:00", "2026-11-26 03:00:10"]]);
    assert.deepEqual(run, {
      runId: "r1",
      inputs: "[]",
      rowsRead: 10,
      clean: 8,
      duplicates: 1,
      rejected: 1,
      loaded: 7,
      alreadyPresent: 1,
      status: "loaded",
      startedAt: new Date("2026-11-26T03:00:00Z"),
      finishedAt: new Date("2026-11-26T03:00:10Z"),
    });
  });
});

describe("isMissingTableError", () => {
  it("recognises Postgres's undefined_table and Redshift's message, also as a cause", () => {
    assert.ok(isMissingTableError(Object.assign(new Error("relation x does not exist"), { code: "42P01" })));
    assert.ok(isMissingTableError(new EtlError("INTERNAL", "statement failed", {}, { cause: new Error('ERROR: relation "public.cti_records_ledger" does not exist') })));
    assert.ok(!isMissingTableError(new Error("permission denied for relation cti_records_ledger")));
  });
});

describe("readRecentRuns", () => {
  it("returns no runs when the ledger does not exist yet", async () => {
    const warehouse = { query: async () => Promise.reject(Object.assign(new Error('relation "cti_records_ledger" does not exist'), { code: "42P01" })) };
    assert.deepEqual(await readRecentRuns(warehouse, "postgres", "cti_records", { limit: 5 }), []);
  });

  it("passes on any other failure", async () => {
    const warehouse = { query: async () => Promise.reject(new Error("connection reset")) };
    await assert.rejects(readRecentRuns(warehouse, "redshift", "cti_records", { limit: 5 }), /connection reset/);
  });
});

describe("parseWarehouseTime offsets", () => {
  it("reads +hh, +hhmm and +hh:mm offsets", () => {
    for (const text of ["2026-11-26 11:45:12+01", "2026-11-26 11:45:12+0100", "2026-11-26T11:45:12.000+01:00"]) {
      assert.equal(parseWarehouseTime(text).toISOString(), "2026-11-26T10:45:12.000Z", text);
    }
  });
});
