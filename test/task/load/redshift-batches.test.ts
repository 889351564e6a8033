import assert from "node:assert/strict";
import { planLoad } from "../../../task/src/load/load-plan.ts";
import { redshiftLoadBatch, redshiftSetupBatch } from "../../../task/src/load/redshift-batches.ts";
import type { LoadRequest } from "../../../task/src/load/warehouse.ts";
import { translateStatement } from "../../support/redshift-data-emulator/translate.ts";

const request: LoadRequest = {
  runId: "run-1",
  table: "public.cti_records",
  inputs: [{ uri: "s3://in/a.csv", sha256: "a".repeat(64), bytes: 1 }],
  counts: { rowsRead: 3, clean: 3, duplicates: 0, rejected: 0, rejectedByReason: {} },
  startedAt: "2026-11-26T10:45:12.000Z",
  manifestUrl: "s3://out/runs/run-1/manifest.json",
  parts: [{ url: "s3://out/runs/run-1/clean/part-00000.csv.gz", rows: 3, bytes: 40 }],
};
const plan = planLoad(request, "redshift");
const ROLE = "arn:aws:iam::123456789012:role/copy";

describe("redshiftSetupBatch", () => {
  it("creates both tables, looks for the target's row_hash column, then reads the ledger rows that decide the load", () => {
    const batch = redshiftSetupBatch(plan, "run-1");
    assert.deepEqual(batch.map((s) => s.step), ["create-target", "create-ledger", "find-row-hash-column", "find-prior-loads"]);
    assert.match(batch[2]!.sql, /WHERE c\.relname = 'cti_records' AND n\.nspname = 'public'\n {2}AND a\.attname = 'row_hash'/);
    assert.match(batch[3]!.sql, /^SELECT "run_id", "input_fingerprint", "status"\nFROM "public"\."cti_records_ledger"/);
  });

  it("creates a missing schema before the tables that live in it", () => {
    const analytics = planLoad({ ...request, table: "analytics.cti_records" }, "redshift");
    const batch = redshiftSetupBatch(analytics, "run-1", "analytics");
    assert.deepEqual(batch.map((s) => s.step), ["create-schema", "create-target", "create-ledger", "find-row-hash-column", "find-prior-loads"]);
    assert.equal(batch[0]!.sql, 'CREATE SCHEMA IF NOT EXISTS "analytics"');
    assert.match(batch[1]!.sql, /^CREATE TABLE IF NOT EXISTS "analytics"\."cti_records" \(/);
  });
});

describe("redshiftLoadBatch", () => {
  const batch = redshiftLoadBatch(plan, request.manifestUrl, ROLE);

  it("locks the ledger first, stages, checks, inserts new rows, then records the run", () => {
    assert.deepEqual(
      batch.map((s) => s.step),
      ["lock-ledger", "create-stage", "copy-parts", "check-stage-rows", "insert-new-rows", "insert-ledger-row"],
    );
    assert.equal(batch[0]!.sql, 'LOCK "public"."cti_records_ledger"');
    assert.match(batch[2]!.sql, /^COPY "cti_etl_stage" \("key", "data"\)\nFROM 's3:\/\/out\/runs\/run-1\/manifest.json'/);
    assert.match(batch[3]!.sql, /WHEN c\.n = 3 THEN 0/);
    assert.match(batch[5]!.sql, /COUNT\(\*\) AS n FROM "public"\."cti_records" WHERE "run_id" = 'run-1'/);
  });

  it("guards both inserts with the same no-earlier-load condition", () => {
    const guard = /(WHERE|AND) NOT EXISTS \(SELECT 1 FROM "public"\."cti_records_ledger" AS l WHERE l\."input_fingerprint" = '[0-9a-f]{64}' AND l\."status" = 'loaded'\)$/;
    assert.match(batch[4]!.sql, guard);
    assert.match(batch[5]!.sql, guard);
  });

  it("stays within BatchExecuteStatement's limits: at most 40 statements, each under 100 KB", () => {
    assert.ok(batch.length <= 40);
    for (const s of batch) assert.ok(Buffer.byteLength(s.sql) < 100 * 1024);
  });

  it("is SQL the Redshift emulator can run (COPY parsed, the rest passed to Postgres)", () => {
    assert.deepEqual(
      batch.map((s) => translateStatement(s.sql).kind),
      ["sql", "sql", "copy", "sql", "sql", "sql"],
    );
  });
});
