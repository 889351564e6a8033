import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { parseTableName, sqlTableName, warehouseTables } from "../../../task/src/load/table-names.ts";

describe("parseTableName", () => {
  it("accepts a bare name and a schema-qualified one", () => {
    assert.deepEqual(parseTableName("cti_records"), { name: "cti_records" });
    assert.deepEqual(parseTableName("public.cti_records"), { schema: "public", name: "cti_records" });
  });

  it("rejects upper case, quotes, spaces, three parts and a leading digit, as USAGE", () => {
    for (const bad of ["Public.t", 'a"b', "a b", "a.b.c", "1abc", "", "a.", ".a", "a;drop"]) {
      assert.throws(
        () => parseTableName(bad),
        (e: unknown) => e instanceof EtlError && e.code === "USAGE",
        bad,
      );
    }
  });

  it("rejects a name whose ledger name would pass Postgres's 63-byte limit", () => {
    assert.doesNotThrow(() => parseTableName("a".repeat(56)));
    assert.throws(() => parseTableName("a".repeat(57)), /too long/);
  });
});

describe("warehouseTables", () => {
  it("puts the ledger beside the target, in the same schema", () => {
    const t = warehouseTables("analytics.cti_records");
    assert.equal(sqlTableName(t.target), '"analytics"."cti_records"');
    assert.equal(sqlTableName(t.ledger), '"analytics"."cti_records_ledger"');
    assert.equal(sqlTableName(t.stage), '"cti_etl_stage"');
  });

  it("leaves an unqualified target unqualified (the search path decides)", () => {
    assert.equal(sqlTableName(warehouseTables("cti_records").ledger), '"cti_records_ledger"');
  });
});
