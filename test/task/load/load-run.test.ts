import assert from "node:assert/strict";
import { loadRequestFor, withLoad } from "../../../task/src/load/load-run.ts";
import type { RunSummary } from "../../../task/src/run/summary.ts";

const summary: RunSummary = {
  runId: "r1",
  status: "succeeded",
  rowsRead: 5,
  clean: 3,
  duplicates: 1,
  rejected: 1,
  rejectedByReason: { "Record is empty": 1 },
  inputs: [{ uri: "s3://b/in/a.csv", bytes: 10, sha256: "ab", etag: '"e"', counts: { rowsRead: 5, clean: 3, duplicates: 1, rejected: 1, rejectedByReason: { "Record is empty": 1 } } }],
  output: "s3://b/runs/r1/",
  parts: [{ relPath: "clean/part-00000.csv.gz", rows: 3, bytes: 99 }],
  rejectedFiles: [],
  startedAt: "2026-11-26T00:00:00.000Z",
  finishedAt: "2026-11-26T00:00:01.000Z",
  durationMs: 1000,
};

describe("loadRequestFor / withLoad", () => {
  it("asks the warehouse to load the published parts and manifest at their final URLs", () => {
    const request = loadRequestFor(summary, { urlOf: (rel) => `s3://b/runs/r1/${rel}` }, "public.t");
    assert.deepEqual(request, {
      runId: "r1",
      table: "public.t",
      inputs: [{ uri: "s3://b/in/a.csv", sha256: "ab", bytes: 10, etag: '"e"' }],
      counts: { rowsRead: 5, clean: 3, duplicates: 1, rejected: 1, rejectedByReason: { "Record is empty": 1 } },
      startedAt: "2026-11-26T00:00:00.000Z",
      manifestUrl: "s3://b/runs/r1/manifest.json",
      parts: [{ url: "s3://b/runs/r1/clean/part-00000.csv.gz", rows: 3, bytes: 99 }],
    });
  });

  it("adds loaded, alreadyPresent and who loaded to the summary", () => {
    const loaded = withLoad(summary, { outcome: "already-loaded", loadedBy: "r0", loaded: 0, alreadyPresent: 3 }, "embedded", "public.t");
    assert.deepEqual([loaded.loaded, loaded.alreadyPresent, loaded.loadOutcome, loaded.loadedBy, loaded.table], [0, 3, "already-loaded", "r0", "public.t"]);
    assert.equal(loaded.clean, 3);
  });
});
