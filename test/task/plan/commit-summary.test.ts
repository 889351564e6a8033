import assert from "node:assert/strict";
import { mergeShardSummaries } from "../../../task/src/plan/commit-summary.ts";
import type { RunSummary } from "../../../task/src/run/summary.ts";

function shardSummary(uri: string, counts: { rowsRead: number; clean: number; duplicates: number; rejected: number }, startedAt: string, finishedAt: string): RunSummary {
  const rejectedByReason: Record<string, number> = counts.rejected ? { "Record is empty": counts.rejected } : {};
  return {
    runId: "r1",
    status: "succeeded",
    ...counts,
    rejectedByReason,
    inputs: [{ uri, bytes: 10, sha256: "0".repeat(64), etag: '"e"', counts: { ...counts, rejectedByReason } }],
    output: "ignored",
    parts: [{ relPath: "clean/part-00000.csv.zst", rows: counts.clean, bytes: 5 }],
    rejectedFiles: counts.rejected ? [{ relPath: "rejected/part-00000.csv.zst", rows: counts.rejected, bytes: 3 }] : [],
    startedAt,
    finishedAt,
    durationMs: Date.parse(finishedAt) - Date.parse(startedAt),
  };
}

const a = shardSummary("s3://b/in/a.csv", { rowsRead: 10, clean: 7, duplicates: 2, rejected: 1 }, "2026-12-06T10:00:05.000Z", "2026-12-06T10:02:00.000Z");
const b = shardSummary("s3://b/in/b.csv", { rowsRead: 5, clean: 5, duplicates: 0, rejected: 0 }, "2026-12-06T10:00:00.000Z", "2026-12-06T10:01:00.000Z");

describe("mergeShardSummaries", () => {
  it("adds the shards' counts, keeps the inputs in plan order and puts their files under shards/<id>/", () => {
    const run = mergeShardSummaries("r1", "s3://b/runs/r1/", [{ id: "00000", summary: a }, { id: "00001", summary: b }]);
    assert.deepEqual([run.rowsRead, run.clean, run.duplicates, run.rejected, run.rejectedByReason], [15, 12, 2, 1, { "Record is empty": 1 }]);
    assert.deepEqual(run.inputs.map((i) => i.uri), ["s3://b/in/a.csv", "s3://b/in/b.csv"]);
    assert.deepEqual(run.parts.map((p) => p.relPath), ["shards/00000/clean/part-00000.csv.zst", "shards/00001/clean/part-00000.csv.zst"]);
    assert.deepEqual(run.rejectedFiles.map((p) => p.relPath), ["shards/00000/rejected/part-00000.csv.zst"]);
    assert.deepEqual([run.output, run.startedAt, run.finishedAt, run.durationMs], ["s3://b/runs/r1/", "2026-12-06T10:00:00.000Z", "2026-12-06T10:02:00.000Z", 120_000]);
  });

  it("refuses an object read by two shards, and counts that do not add up, as INVARIANT_BROKEN", () => {
    assert.throws(() => mergeShardSummaries("r1", "x/", [{ id: "00000", summary: a }, { id: "00001", summary: a }]), /INVARIANT|s3:\/\/b\/in\/a\.csv was read by more than one shard/);
    const short = { ...b, parts: [{ relPath: "clean/part-00000.csv.zst", rows: 4, bytes: 5 }] };
    assert.throws(() => mergeShardSummaries("r1", "x/", [{ id: "00000", summary: short }]), /clean parts hold 4 rows, clean is 5/);
  });
});
