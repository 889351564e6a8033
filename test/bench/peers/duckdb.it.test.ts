import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import type { ProgramReport } from "../../../bench/peers/transform-spec.ts";
import { runCommand } from "../../support/processes.ts";
import { referenceClean } from "../../support/reference-transform.ts";
import { cachedSample } from "../../support/sample-files.ts";
import { tempDir } from "../../support/temp-dir.ts";

// The benchmark compares the job with this peer: it must do the same transform.
describe("bench peer: DuckDB", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  it("counts what the generator expects and writes the reference clean rows, in first-seen order", async () => {
    const sample = await cachedSample(20_000);
    const r = await runCommand(process.execPath, ["--import", "tsx", "bench/peers/duckdb.ts", sample.path, dir.path, "csv"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout.trim().split("\n").pop()!) as ProgramReport;
    const { maxRssKiB, ...counts } = report;
    assert.ok(maxRssKiB > 0);
    assert.deepEqual({ ...counts, rejectedByReason: sorted(counts.rejectedByReason) }, { ...sample.expected, rejectedByReason: sorted(sample.expected.rejectedByReason) });
    const clean = parse(await readFile(join(dir.path, "clean.csv"), "utf8")) as string[][];
    assert.deepEqual(clean.slice(1), referenceClean(await readFile(sample.path, "utf8")));
  });

  it("trims what String.prototype.trim trims, Unicode white space included, and nothing else", async () => {
    const input = join(dir.path, "in.csv");
    const text = "Key,Data\n\u00a0\u3000K1\u2009,\ufeffA b\u202f\n\u200bK2,x\u200b\n \u2028K3\u205f,\u1680Y\u2000\n";
    await writeFile(input, text);
    const r = await runCommand(process.execPath, ["--import", "tsx", "bench/peers/duckdb.ts", input, dir.path, "csv"]);
    assert.equal(r.code, 0, r.stderr);
    const clean = parse(await readFile(join(dir.path, "clean.csv"), "utf8")) as string[][];
    assert.deepEqual(clean.slice(1), referenceClean(text));
    assert.deepEqual(clean.slice(1), [["k1", "a b"], ["\u200bk2", "x\u200b"], ["k3", "y"]]);
  });
});

function sorted(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
