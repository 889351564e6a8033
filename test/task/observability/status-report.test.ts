import assert from "node:assert/strict";
import type { LedgerRun } from "../../../task/src/load/ledger-history.ts";
import { formatRunTable, formatStatusReport, formatTrend, rejectedRatio, summarizeInputs } from "../../../task/src/observability/status-report.ts";

const run = (overrides: Partial<LedgerRun> = {}): LedgerRun => ({
  runId: "20261126T030000Z-ab12",
  inputs: JSON.stringify([{ uri: "s3://cti-in/input/2026-11-26.csv", etag: "e", sha256: "0".repeat(64), bytes: 10 }]),
  rowsRead: 10_000,
  clean: 9_800,
  duplicates: 150,
  rejected: 50,
  loaded: 9_700,
  alreadyPresent: 100,
  status: "loaded",
  startedAt: new Date("2026-11-26T03:00:00.000Z"),
  finishedAt: new Date("2026-11-26T03:01:05.000Z"),
  ...overrides,
});

describe("formatRunTable", () => {
  it("prints a header and one aligned row per run: when, input, counts, loaded, duration, outcome", () => {
    const text = formatRunTable([run(), run({ runId: "20261125T030000Z-cd34", rowsRead: 7, clean: 7, duplicates: 0, rejected: 0, loaded: 7, alreadyPresent: 0, finishedAt: new Date("2026-11-26T03:00:00.850Z") })]);
    const lines = text.trimEnd().split("\n");
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^FINISHED \(UTC\) +RUN +INPUT +READ +CLEAN +DUPLICATE +REJECTED +LOADED +PRESENT +DURATION +OUTCOME$/);
    assert.match(lines[1]!, /^2026-11-26 03:01:05 +20261126T030000Z-ab12 +s3:\/\/cti-in\/input\/2026-11-26\.csv +10,000 +9,800 +150 +50 +9,700 +100 +1m 05s +loaded$/);
    assert.match(lines[2]!, /^2026-11-26 03:00:00 +20261125T030000Z-cd34 .* +7 +7 +0 +0 +7 +0 +850ms +loaded$/);
    // Right-aligned numbers end in the same column.
    assert.equal(lines[1]!.indexOf("10,000") + 6, lines[2]!.indexOf(" 7 ") + 2);
  });

});

describe("formatTrend", () => {
  it("draws rows read and the rejected ratio oldest to newest, with the lowest, highest and latest value", () => {
    // Newest first, as the ledger gives them: the oldest read 1,000 rows with 10% rejected.
    const runs = [run({ rowsRead: 8_000, rejected: 80 }), run({ rowsRead: 4_500, rejected: 45 }), run({ rowsRead: 1_000, rejected: 100 })];
    const [title, rows, rejected] = formatTrend(runs).trimEnd().split("\n");
    assert.equal(title, "Last 3 runs, oldest to newest:");
    assert.equal(rows, "  rows read  ▁▅█  min 1,000  max 8,000  last 8,000");
    assert.equal(rejected, "  rejected   █▁▁  min 1.0%  max 10.0%  last 1.0%");
  });

  it("leaves a blank for a run that read no rows (no ratio)", () => {
    const lines = formatTrend([run({ rowsRead: 10, rejected: 5 }), run({ rowsRead: 0, rejected: 0, clean: 0, duplicates: 0 })]).split("\n");
    assert.match(lines[2]!, /^ {2}rejected {3} ▄ {2}min 50\.0% {2}max 50\.0% {2}last 50\.0%$/);
    assert.ok(Number.isNaN(rejectedRatio({ rowsRead: 0, rejected: 0 })));
  });
});

describe("formatStatusReport", () => {
  it("puts the trend above the table", () => {
    const runs = [run(), run({ runId: "20261125T030000Z-cd34" })];
    assert.equal(formatStatusReport(runs), `${formatTrend(runs)}\n${formatRunTable(runs)}`);
    assert.match(formatStatusReport(runs), /^Last 2 runs[\s\S]*▄▄[\s\S]*\nFINISHED \(UTC\)/);
  });

  it("says so when the ledger is empty", () => {
    assert.equal(formatStatusReport([]), "No runs in the ledger yet.\n");
  });
});

describe("summarizeInputs", () => {
  it("names the first input and how many more", () => {
    const inputs = JSON.stringify([{ uri: "s3://b/a.csv" }, { uri: "s3://b/b.csv" }, { uri: "s3://b/c.csv" }]);
    assert.equal(summarizeInputs(inputs), "s3://b/a.csv +2");
  });

  it("gives the count when the ledger kept only that", () => {
    assert.equal(summarizeInputs(JSON.stringify({ count: 5000, omitted: "too long" })), "5000 inputs");
  });

  it("shows text it cannot read as it is", () => {
    assert.equal(summarizeInputs("legacy"), "legacy");
  });
});
