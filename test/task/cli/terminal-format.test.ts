import assert from "node:assert/strict";
import { dotLeader, formatBytes, formatCount, formatDuration, formatPercent, plural, progressBar, SPARK_LEVELS, sparkline } from "../../../task/src/cli/terminal-format.ts";

describe("formatDuration", () => {
  it("reads well from milliseconds to hours", () => {
    assert.deepEqual([850, 12_345, 245_000, 7_380_000, -1, NaN].map(formatDuration), ["850ms", "12.3s", "4m 05s", "2h 03m", "?", "?"]);
  });

  it("shows a 4.9 s run as 4.9s, not as 0s or 5s", () => {
    assert.equal(formatDuration(4_900), "4.9s");
    assert.equal(formatDuration(59_960), "59.9s");
  });
});

describe("formatBytes", () => {
  it("uses binary units with three significant figures", () => {
    assert.deepEqual([512, 210_000, 67_000_000, 1_288_490_189].map(formatBytes), ["512 B", "205 KiB", "63.9 MiB", "1.20 GiB"]);
  });
});

describe("formatCount, plural, formatPercent", () => {
  it("separates thousands, says row or rows, and shows a ratio with one decimal", () => {
    assert.equal(formatCount(1_000_000), "1,000,000");
    assert.deepEqual([plural(1, "row"), plural(2, "row"), plural(0, "part")], ["1 row", "2 rows", "0 parts"]);
    assert.deepEqual([formatPercent(0.0072), formatPercent(1), formatPercent(NaN)], ["0.7%", "100.0%", "?"]);
  });
});

describe("progressBar", () => {
  it("is always exactly as wide as asked, whatever the fraction", () => {
    for (const f of [-1, 0, 0.01, 0.333, 0.5, 0.999, 1, 2, NaN]) assert.equal([...progressBar(f, 20)].length, 20, String(f));
  });

  it("fills whole cells, then the partial cell in eighths", () => {
    assert.equal(progressBar(0, 4), "····");
    assert.equal(progressBar(0.5, 4), "██··");
    assert.equal(progressBar(0.5 + 1 / 32, 4), "██▏·");
    assert.equal(progressBar(1, 4), "████");
  });
});

describe("sparkline", () => {
  it("scales from the lowest value (▁) to the highest (█), one character per value, in order", () => {
    assert.equal(sparkline([1, 2, 3, 4, 5, 6, 7, 8]), SPARK_LEVELS.join(""));
    assert.equal(sparkline([10, 0, 10]), "█▁█");
  });

  it("draws a flat line when every value is the same, and a blank for a value that is not a number", () => {
    assert.equal(sparkline([5, 5, 5]), "▄▄▄");
    assert.equal(sparkline([NaN, 1, 3]), " ▁█");
    assert.equal(sparkline([NaN]), " ");
    assert.equal(sparkline([]), "");
  });
});

describe("dotLeader", () => {
  it("fills the line with dots up to the tail, and keeps three dots when the text is too long", () => {
    assert.equal(dotLeader("load", "[OK in 1.0s]", 24), "load ...... [OK in 1.0s]");
    assert.equal(dotLeader("a long line of text", "[OK]", 10), "a long line of text ... [OK]");
  });
});
