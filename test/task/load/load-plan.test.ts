import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { inputFingerprint } from "../../../task/src/load/input-fingerprint.ts";
import { alreadyLoaded, LEDGER_INPUTS_MAX_BYTES, planLoad } from "../../../task/src/load/load-plan.ts";
import type { LoadRequest } from "../../../task/src/load/warehouse.ts";

const request: LoadRequest = {
  runId: "20261126T104512Z-3fa9c2",
  table: "public.cti_records",
  inputs: [{ uri: "s3://in/a.csv", etag: '"e"', sha256: "a".repeat(64), bytes: 100 }],
  counts: { rowsRead: 10, clean: 7, duplicates: 2, rejected: 1, rejectedByReason: { r: 1 } },
  startedAt: "2026-11-26T10:45:12.000Z",
  manifestUrl: "s3://out/runs/r/manifest.json",
  parts: [
    { url: "s3://out/runs/r/clean/part-00000.csv.gz", rows: 4, bytes: 50 },
    { url: "s3://out/runs/r/clean/part-00001.csv.gz", rows: 3, bytes: 40 },
  ],
};
const code = (c: string) => (e: unknown) => e instanceof EtlError && e.code === c;

describe("planLoad", () => {
  it("derives the tables, the fingerprint, the ledger entry and the rows the stage must hold", () => {
    const plan = planLoad(request, "redshift");
    assert.equal(plan.tables.ledger.name, "cti_records_ledger");
    assert.equal(plan.fingerprint, inputFingerprint(request.inputs));
    assert.equal(plan.cleanRows, 7);
    assert.equal(plan.compression, "gzip");
    assert.deepEqual(plan.ledger, {
      runId: request.runId,
      taskArn: "local",
      fingerprint: plan.fingerprint,
      inputsText: JSON.stringify([{ uri: "s3://in/a.csv", etag: "e", sha256: "a".repeat(64), bytes: 100 }]),
      counts: request.counts,
      cleanRows: 7,
      startedAt: request.startedAt,
    });
    assert.equal(plan.rowsMayRepeat, false);
    assert.equal(planLoad({ ...request, rowsMayRepeat: true }, "postgres").rowsMayRepeat, true);
  });

  it("reads the parts' codec from their names, and refuses parts of two codecs as INTERNAL", () => {
    const named = (...endings: string[]) => ({ ...request, parts: request.parts.map((p, i) => ({ ...p, url: p.url.replace(/\.csv\.gz$/, endings[i]!) })) });
    assert.equal(planLoad(named(".csv.zst", ".csv.zst"), "postgres").compression, "zstd");
    assert.equal(planLoad(named(".csv", ".csv"), "redshift").compression, "none");
    assert.throws(() => planLoad(named(".csv.zst", ".csv.gz"), "redshift"), code("INTERNAL"));
  });

  it("refuses parts that do not hold exactly the clean rows, as INVARIANT_BROKEN", () => {
    assert.throws(() => planLoad({ ...request, counts: { ...request.counts, clean: 8 } }, "postgres"), code("INVARIANT_BROKEN"));
  });

  it("refuses a bad run id or table as USAGE, and a malformed request as INTERNAL", () => {
    assert.throws(() => planLoad({ ...request, runId: "bad id" }, "postgres"), code("USAGE"));
    assert.throws(() => planLoad({ ...request, table: "Bad.Table" }, "postgres"), code("USAGE"));
    assert.throws(() => planLoad({ ...request, startedAt: "soon" }, "postgres"), code("INTERNAL"));
    assert.throws(() => planLoad({ ...request, inputs: [] }, "postgres"), code("INTERNAL"));
    assert.throws(() => planLoad({ ...request, parts: [{ ...request.parts[0]!, rows: -1 }] }, "postgres"), code("INTERNAL"));
  });

  it("caps the ledger's inputs text for Redshift only", () => {
    const many = Array.from({ length: 600 }, (_, i) => ({ uri: `s3://in/${i}.csv`, sha256: "b".repeat(64), bytes: i }));
    const big = { ...request, inputs: many };
    assert.ok(Buffer.byteLength(planLoad(big, "redshift").ledger.inputsText) <= LEDGER_INPUTS_MAX_BYTES);
    assert.equal(JSON.parse(planLoad(big, "postgres").ledger.inputsText).length, 600);
  });
});

describe("alreadyLoaded", () => {
  it("reports nothing loaded and every clean row as already present", () => {
    assert.deepEqual(alreadyLoaded("run-1", { cleanRows: 7 }), { outcome: "already-loaded", loadedBy: "run-1", loaded: 0, alreadyPresent: 7 });
  });
});
