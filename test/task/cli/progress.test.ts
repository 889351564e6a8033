import assert from "node:assert/strict";
import {
  countReads,
  describeLoad,
  describeTransform,
  formatLoadProgress,
  formatStageLine,
  formatTransformProgress,
  RunProgressView,
} from "../../../task/src/cli/progress.ts";

describe("formatTransformProgress", () => {
  it("shows a bar of input bytes, the percent, rows, rows/s and the ETA", () => {
    assert.equal(
      formatTransformProgress({ rowsRead: 500_000, bytesRead: 25, totalBytes: 100 }, 10_000, 8),
      "transform   ██······   25.0%  500,000 rows  50,000 rows/s  ETA 30.0s",
    );
  });

  it("shows an unknown ETA before any byte is read", () => {
    assert.match(formatTransformProgress({ rowsRead: 0, bytesRead: 0, totalBytes: 100 }, 0, 8), / {3}0\.0% {2}0 rows {2}0 rows\/s {2}ETA \?$/);
  });
});

describe("formatLoadProgress", () => {
  it("says what it waits for while the warehouse opens", () => {
    assert.equal(formatLoadProgress({ phase: "opening", warehouse: "embedded PGlite in wh" }, 1_500), "warehouse   opening embedded PGlite in wh, checking the run against history…  1.5s");
  });

  it("estimates the rows staged from the part bytes read", () => {
    const line = formatLoadProgress({ phase: "staging", stagedBytes: 30, totalBytes: 120, cleanRows: 4_000, table: "public.t" }, 800, 8);
    assert.equal(line, "load        ██······   25.0%  staged ~1,000 of 4,000 rows  800ms");
  });

  it("says it inserts once every part is staged, and shows the elapsed time alone when the warehouse reads the parts itself (Redshift)", () => {
    assert.match(formatLoadProgress({ phase: "staging", stagedBytes: 120, totalBytes: 120, cleanRows: 4_000, table: "public.t" }, 900, 8), /████████ {2}staged 4,000 rows, inserting the new ones into public\.t… {2}900ms$/);
    assert.equal(formatLoadProgress({ phase: "staging", stagedBytes: 0, totalBytes: 120, cleanRows: 4_000, table: "public.t" }, 2_000, 8), "load        staging 4,000 rows into public.t…  2.0s");
  });
});

describe("formatStageLine", () => {
  it("is one line per step with dots up to its outcome and time, as dbt prints", () => {
    assert.equal(formatStageLine("load", "3 inserted", false, 73, 40), "load        3 inserted .... [OK in 73ms]");
    assert.equal(formatStageLine("load", "failed", true, 1_234, 40), "load        failed ... [ERROR after 1.2s]");
  });
});

describe("describeTransform and describeLoad", () => {
  it("say what the transform read and made of it", () => {
    assert.equal(describeTransform({ rowsRead: 5_000, clean: 4_186, duplicates: 778, rejected: 36, rejectedByReason: {} }), "5,000 rows read: 4,186 clean, 778 duplicates, 36 rejected");
  });

  it("say what the load staged, inserted and found already present, or which run loaded the input", () => {
    assert.equal(describeLoad({ outcome: "loaded", loaded: 90, alreadyPresent: 10 }, "public.t"), "100 staged, 90 inserted into public.t, 10 already present");
    assert.equal(describeLoad({ outcome: "already-loaded", loaded: 0, alreadyPresent: 100, loadedBy: "r0" }, "public.t"), "already loaded by run r0: nothing new added to public.t");
  });
});

/** A stream that records writes, and a clock the test moves. */
function harness(live: boolean) {
  const writes: string[] = [];
  let t = 0;
  const view = new RunProgressView({ write: (s: string) => writes.push(s), columns: 200 }, { live, warehouse: "embedded PGlite in wh", table: "public.t", now: () => t, intervalMs: 100 });
  return { view, writes, text: () => writes.join(""), tick: (ms: number) => (t += ms) };
}

const summary = { rowsRead: 10, clean: 8, duplicates: 1, rejected: 1, rejectedByReason: { x: 1 }, parts: [{ bytes: 100 }, { bytes: 300 }] };

describe("RunProgressView", () => {
  it("live: redraws one status line in place, and prints a finished step above it", () => {
    const { view, text, tick } = harness(true);
    try {
      view.stage({ stage: "transform", phase: "started" });
      tick(200);
      view.transform({ rowsRead: 5, bytesRead: 50, totalBytes: 100 });
      tick(50);
      view.transform({ rowsRead: 6, bytesRead: 60, totalBytes: 100 }); // within 100 ms: not drawn
      tick(100);
      view.stage({ stage: "transform", phase: "finished", durationMs: 350, failed: false, result: summary });
      tick(2_000);
      view.stage({ stage: "load", phase: "started" });
      tick(100);
      view.partBytes(400);
      view.stage({ stage: "load", phase: "finished", durationMs: 100, failed: false, result: { outcome: "loaded", loaded: 7, alreadyPresent: 1 } });
    } finally {
      view.close();
    }
    const out = text();
    assert.match(out, /\r\x1b\[2Ktransform .* 50\.0% {2}5 rows/);
    assert.doesNotMatch(out, /60\.0%/);
    // Each finished step is a line of its own, after the status line was erased.
    assert.match(out, /\r\x1b\[2Ktransform {3}10 rows read: 8 clean, 1 duplicate, 1 rejected \.+ \[OK in 350ms\]\n/);
    assert.match(out, /\r\x1b\[2Kwarehouse {3}opened embedded PGlite in wh, run checked against history \.+ \[OK in 2\.0s\]\n/);
    assert.match(out, /staged 8 rows, inserting the new ones into public\.t…/);
    assert.match(out, /load {8}8 staged, 7 inserted into public\.t, 1 already present \.+ \[OK in 100ms\]\n/);
    // Nothing left drawn after the last step: the output ends with its line.
    assert.ok(out.endsWith("[OK in 100ms]\n"));
  });

  it("live: a log line erases the status line, is printed whole, and the status line comes back; close erases it", () => {
    const { view, writes } = harness(true);
    try {
      view.transform({ rowsRead: 1, bytesRead: 1, totalBytes: 2 });
      const before = writes.length;
      view.log.write("10:45:12 warning: slow\n");
      assert.deepEqual(writes.slice(before, before + 2), ["\r\x1b[2K", "10:45:12 warning: slow\n"]);
      assert.match(writes[before + 2]!, /^\r\x1b\[2Ktransform/);
    } finally {
      view.close();
    }
    assert.equal(writes.at(-1), "\r\x1b[2K");
  });

  it("lines: writes no control characters, one status line at most per interval, and each finished step", () => {
    const { view, text, tick } = harness(false);
    try {
      view.stage({ stage: "transform", phase: "started" });
      view.transform({ rowsRead: 1, bytesRead: 10, totalBytes: 100 });
      tick(10);
      view.transform({ rowsRead: 2, bytesRead: 20, totalBytes: 100 });
      tick(100);
      view.transform({ rowsRead: 3, bytesRead: 30, totalBytes: 100 });
      view.stage({ stage: "transform", phase: "finished", durationMs: 120, failed: true });
    } finally {
      view.close();
    }
    const out = text();
    assert.doesNotMatch(out, /[\r\x1b]/);
    const lines = out.trimEnd().split("\n");
    assert.equal(lines.filter((l) => l.includes("rows/s")).length, 2);
    assert.match(lines.at(-1)!, /^transform {3}failed \.+ \[ERROR after 120ms\]$/);
  });
});

describe("countReads", () => {
  it("hands over every chunk unchanged and reports its size", async () => {
    let counted = 0;
    const reader = countReads(
      async function* () {
        yield new Uint8Array(3);
        yield new Uint8Array(5);
      },
      (n) => (counted += n),
    );
    const sizes: number[] = [];
    for await (const chunk of reader("file:///x")) sizes.push(chunk.byteLength);
    assert.deepEqual([sizes, counted], [[3, 5], 8]);
  });
});
