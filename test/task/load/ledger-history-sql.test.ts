import assert from "node:assert/strict";
import { MAX_HISTORY_ROWS, recentRunsSql } from "../../../task/src/load/ledger-history-sql.ts";
import { warehouseTables } from "../../../task/src/load/table-names.ts";

const tables = warehouseTables("public.cti_records");

describe("recentRunsSql", () => {
  it("selects the ledger's columns, newest first, limited", () => {
    assert.equal(
      recentRunsSql("postgres", tables, { limit: 20 }),
      [
        'SELECT "run_id", "inputs", "rows_read", "clean", "duplicates", "rejected", "loaded", "already_present", "status", "started_at", "finished_at"',
        'FROM "public"."cti_records_ledger"',
        'ORDER BY "finished_at" DESC, "run_id" DESC',
        "LIMIT 20",
      ].join("\n"),
    );
  });

  it("keeps only committed loads for the history of successful runs", () => {
    assert.match(recentRunsSql("redshift", tables, { limit: 5, onlyLoaded: true }), /\nWHERE "status" = 'loaded'\n/);
  });

  it("clamps the limit and refuses one that is not a whole number", () => {
    assert.match(recentRunsSql("postgres", tables, { limit: 0 }), /LIMIT 1$/);
    assert.match(recentRunsSql("postgres", tables, { limit: 1e9 }), new RegExp(`LIMIT ${MAX_HISTORY_ROWS}$`));
    assert.throws(() => recentRunsSql("postgres", tables, { limit: 2.5 }), /not a whole number/);
  });
});
