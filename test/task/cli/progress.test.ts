import assert from "node:assert/strict";
import { formatDuration, formatProgress } from "../../../task/src/cli/progress.ts";

describe("formatProgress", () => {
  it("shows rows, rows/s, percent of bytes and the ETA", () => {
    assert.equal(formatProgress({ rowsRead: 500000, bytesRead: 25, totalBytes: 100 }, 10_000), "500,000 rows  50,000 rows/s  25.0%  ETA 30s");
  });

  it("shows an unknown ETA before any byte is read", () => {
    assert.match(formatProgress({ rowsRead: 0, bytesRead: 0, totalBytes: 100 }, 0), /0\.0%  ETA \?$/);
  });

  it("formats minutes", () => {
    assert.equal(formatDuration(125_000), "2m05s");
  });
});
