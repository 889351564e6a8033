import assert from "node:assert/strict";
import type { LedgerRun } from "../../../task/src/load/ledger-history.ts";
import { formatDuration, formatStatusReport, summarizeInputs } from "../../../task/src/observability/status-report.ts";

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

describe("formatStatusReport", () => {
  it("prints a header and one aligned row per run: when, input, counts, loaded, duration, outcome", () => {
    const text = formatStatusReport([run(), run({ runId: "20261125T030000Z-cd34", rowsRead: 7, clean: 7, duplicates: 0, rejected: 0, loaded: 7, alreadyPresent: 0, finishedAt: new Date("2026-11-26T03:00:00.850Z") })]);
    const lines = text.trimEnd().split("\n");
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^FINISHED \(UTC\) +RUN +INPUT +READ +CLEAN +DUPLICATE +REJECTED +LOADED +PRESENT +DURATION +OUTCOME$/);
    assert.match(lines[1]!, /^2026-11-26 03:01:05 +20261126T030000Z-ab12 +s3:\/\/cti-in\/input\/2026-11-26\.csv +10,000 +9,800 +150 +50 +9,700 +100 +1m 05s +loaded$/);
    assert.match(lines[2]!, /^2026-11-26 03:00:00 +20261125T030000Z-cd34 .* +7 +7 +0 +0 +7 +0 +850ms +loaded$/);
    // Right-aligned numbers end in the same column.
    assert.equal(lines[1]!.indexOf("10,000") + 6, lines[2]!.indexOf(" 7 ") + 2);
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

describe("formatDuration", () => {
  it("reads well from milliseconds to hours", () => {
    assert.deepEqual([850, 12_345, 245_000, 7_380_000, -1].map(formatDuration), ["850ms", "12.3s", "4m 05s", "2h 03m", "?"]);
  });
});
