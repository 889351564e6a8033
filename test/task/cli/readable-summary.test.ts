import assert from "node:assert/strict";
import { formatReadableSkip, formatReadableSummary } from "../../../task/src/cli/readable-summary.ts";
import { withLoad } from "../../../task/src/load/load-run.ts";
import type { RunSummary } from "../../../task/src/run/summary.ts";

const summary: RunSummary = {
  runId: "r1",
  status: "succeeded",
  rowsRead: 5_000,
  clean: 4_186,
  duplicates: 778,
  rejected: 36,
  rejectedByReason: { "Record is empty": 6, "Field `Key` is required": 12, "Field `Data` is required": 18 },
  inputs: [{ uri: "task/sample/sample.csv", bytes: 401_408, sha256: "0".repeat(64), counts: { rowsRead: 5_000, clean: 4_186, duplicates: 778, rejected: 36, rejectedByReason: {} } }],
  output: ".cti-etl/runs/r1",
  parts: [{ relPath: "clean/part-00000.csv.gz", rows: 4_186, bytes: 89_190 }],
  rejectedFiles: [],
  startedAt: "2026-11-26T10:45:12.000Z",
  finishedAt: "2026-11-26T10:45:12.364Z",
  // The transform and publish only: what the old summary showed, rounded, as "0s".
  durationMs: 364,
};

describe("formatReadableSummary", () => {
  it("gives the command's real wall time with each stage's, not the transform's alone", () => {
    const text = formatReadableSummary(summary, { wallMs: 4_912, stageDurationsMs: { transform: 364, load: 3_100 } });
    assert.equal(text.split("\n")[0], "Run r1 succeeded in 4.9s (transform 364ms, load 3.1s)");
  });

  it("says what was read, clean, duplicate and rejected (reasons most frequent first) and where the output is", () => {
    const lines = formatReadableSummary(summary, { wallMs: 1_000, stageDurationsMs: {} }).split("\n");
    assert.deepEqual(lines.slice(1, 8), [
      "  read        5,000 rows, 392 KiB, from task/sample/sample.csv",
      "  clean       4,186 rows in 1 part (87.1 KiB compressed)",
      "  duplicates  778",
      "  rejected    36",
      "               18  Field `Data` is required",
      "               12  Field `Key` is required",
      "                6  Record is empty",
    ]);
    assert.equal(lines.at(-1), "  output      .cti-etl/runs/r1");
  });

  it("includes the load: rows loaded, already present, table and warehouse", () => {
    const loaded = withLoad(summary, { outcome: "loaded", loadedBy: "r1", loaded: 4_000, alreadyPresent: 186 }, "embedded PGlite in .cti-etl/warehouse", "public.cti_records");
    const lines = formatReadableSummary(loaded, { wallMs: 4_900, stageDurationsMs: {} }).split("\n");
    assert.ok(lines.includes("  loaded      4,000 new rows into public.cti_records, 186 already present"), lines.join("\n"));
    assert.ok(lines.includes("  warehouse   embedded PGlite in .cti-etl/warehouse"));
  });

  it("names the run that loaded an input loaded before", () => {
    const again = withLoad(summary, { outcome: "already-loaded", loadedBy: "r0", loaded: 0, alreadyPresent: 4_186 }, "embedded PGlite in wh", "public.t");
    const text = formatReadableSummary(again, { wallMs: 900, stageDurationsMs: {} });
    assert.match(text, /\n {2}loaded {6}nothing new: this input was loaded by run r0\n {2}warehouse {3}public\.t in embedded PGlite in wh \(4,186 rows already present\)\n/);
  });

  it("says nothing was loaded without a warehouse", () => {
    assert.match(formatReadableSummary(summary, { wallMs: 900, stageDurationsMs: {} }), /\n {2}loaded {6}not loaded: no warehouse \(--warehouse none\)\n/);
  });
});

describe("formatReadableSkip", () => {
  it("says the run was skipped and why", () => {
    assert.equal(formatReadableSkip("r2", "another run holds the lease"), "Run r2 skipped: another run holds the lease");
  });
});
