import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { parse } from "csv-parse/sync";
import { EtlError } from "../../../task/src/errors.ts";
import type { CopyManifest } from "../../../task/src/sinks/copy-manifest.ts";
import type { RunSummary } from "../../../task/src/run/summary.ts";
import { referenceClean } from "../../support/reference-transform.ts";
import { cachedSample } from "../../support/sample-files.ts";
import { tempDir } from "../../support/temp-dir.ts";
import { runLocal } from "./support/local-run.ts";

const readGz = async (path: string) => gunzipSync(await readFile(path)).toString("utf8");

const run = runLocal;

/** All clean rows of a published run, parts in order, headers checked and dropped. */
async function cleanRows(runDir: string, summary: RunSummary): Promise<string[][]> {
  const rows: string[][] = [];
  for (const part of summary.parts) {
    const parsed = parse(await readGz(join(runDir, part.relPath))) as string[][];
    assert.deepEqual(parsed[0], ["key", "data"]);
    assert.equal(parsed.length - 1, part.rows);
    rows.push(...parsed.slice(1));
  }
  return rows;
}

describe("transformAndPublish on local files", function () {
  this.timeout(120_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(async () => dir.cleanup());

  it("finds exactly the counts the generator reports, and publishes a complete run", async () => {
    const { path, expected } = await cachedSample(20_000);
    const summary = await run(path, dir.path, "r1");
    assert.deepEqual(
      { rowsRead: summary.rowsRead, clean: summary.clean, duplicates: summary.duplicates, rejected: summary.rejected, rejectedByReason: summary.rejectedByReason },
      expected,
    );
    const runDir = join(dir.path, "r1");
    assert.deepEqual((await readdir(runDir)).sort(), ["clean", "manifest.json", "rejected", "summary.json"]);
    assert.deepEqual(JSON.parse(await readFile(join(runDir, "summary.json"), "utf8")), summary);
    const bytes = await readFile(path);
    assert.deepEqual(summary.inputs.map((i) => [i.uri, i.bytes, i.sha256]), [[path, bytes.length, createHash("sha256").update(bytes).digest("hex")]]);
  });

  it("writes the clean rows the csv-parse reference model predicts, in first-seen order", async () => {
    const { path } = await cachedSample(20_000);
    const summary = await run(path, dir.path, "r2");
    assert.deepEqual(await cleanRows(join(dir.path, "r2"), summary), referenceClean(await readFile(path, "utf8")));
  });

  it("writes every rejected row with its line, raw values and reason", async () => {
    const input = join(dir.path, "in.csv");
    await writeFile(input, 'Key,Data\nA,b\n  ,x\ny,\n,\n"multi\nline",z,extra\nA,B\n');
    const summary = await run(input, dir.path, "r3");
    const rejected = parse(await readGz(join(dir.path, "r3", summary.rejectedFiles[0]!.relPath))) as string[][];
    assert.deepEqual(rejected, [
      ["line", "key", "data", "reason"],
      ["3", "  ", "x", "Field `Key` is required"],
      ["4", "y", "", "Field `Data` is required"],
      ["5", "", "", "Record is empty"],
      ["6", "multi\nline", "z", "Row has more fields than the header"],
    ]);
    assert.equal(summary.duplicates, 1);
  });

  it("lists every clean part in the COPY manifest at its final URL and size", async () => {
    const { path } = await cachedSample(20_000);
    // Parts hold at most partBytes (part-plan.ts): 100 kB parts make several of the ~1.6 MB of clean rows.
    const summary = await run(path, dir.path, "r4", { partBytes: 100_000 });
    assert.ok(summary.parts.length > 1, `expected several parts, got ${summary.parts.length}`);
    const manifest = JSON.parse(await readFile(join(dir.path, "r4", "manifest.json"), "utf8")) as CopyManifest;
    assert.equal(manifest.entries.length, summary.parts.length);
    for (const entry of manifest.entries) {
      assert.equal(entry.mandatory, true);
      assert.equal((await stat(fileURLToPath(entry.url))).size, entry.meta.content_length);
    }
    assert.deepEqual(await cleanRows(join(dir.path, "r4"), summary), referenceClean(await readFile(path, "utf8")));
  });

  it("reads gzip and CRLF inputs to the same clean rows as the plain file", async () => {
    const plain = await cachedSample(5_000, { seed: 3 });
    const gz = await cachedSample(5_000, { seed: 3, gzip: true });
    const crlf = await cachedSample(5_000, { seed: 3, crlf: true });
    const a = await run(plain.path, dir.path, "plain");
    const b = await run(gz.path, dir.path, "gz");
    const c = await run(crlf.path, dir.path, "crlf");
    const rowsA = await cleanRows(join(dir.path, "plain"), a);
    assert.deepEqual(await cleanRows(join(dir.path, "gz"), b), rowsA);
    // CRLF inside quoted fields is data, so only the rows without line breaks compare equal.
    const flat = (rows: string[][]) => rows.filter((r) => !/[\r\n]/.test(r[1]!));
    assert.deepEqual(flat(await cleanRows(join(dir.path, "crlf"), c)), flat(rowsA));
    assert.equal(c.clean, a.clean);
  });

  it("reads a folder's files in name order, deduplicating across them and counting each", async () => {
    const inDir = join(dir.path, "in");
    await import("node:fs/promises").then((fs) => fs.mkdir(inDir));
    await writeFile(join(inDir, "b.csv.gz"), gzipSync("key,data\nX,2\nx,1\n"));
    await writeFile(join(inDir, "a.csv"), "Data,Key\n1,x\n3,z\n");
    await writeFile(join(inDir, ".hidden"), "ignored");
    const summary = await run(inDir, dir.path, "folder");
    assert.deepEqual(summary.inputs.map((i) => [i.uri.split("/").pop(), i.counts.rowsRead, i.counts.clean, i.counts.duplicates]), [
      ["a.csv", 2, 2, 0],
      ["b.csv.gz", 2, 1, 1],
    ]);
    assert.deepEqual(await cleanRows(join(dir.path, "folder"), summary), [["x", "1"], ["z", "3"], ["x", "2"]]);
  });

  it("publishes nothing when a later input has a bad header", async () => {
    const inDir = join(dir.path, "in");
    await import("node:fs/promises").then((fs) => fs.mkdir(inDir));
    await writeFile(join(inDir, "1.csv"), "Key,Data\na,b\n");
    await writeFile(join(inDir, "2.csv"), "\n\nKey,Value\na,b\n");
    const out = join(dir.path, "out");
    await assert.rejects(run(inDir, out, "bad"), (e: unknown) => {
      assert.ok(e instanceof EtlError);
      assert.equal(e.code, "BAD_HEADER");
      assert.deepEqual(e.location, { file: join(inDir, "2.csv"), line: 3, field: "Data" });
      return true;
    });
    assert.deepEqual(await readdir(out), []);
  });

  it("handles a header-only input: zero rows, one header-only part", async () => {
    const input = join(dir.path, "h.csv");
    await writeFile(input, "Key,Data\n");
    const summary = await run(input, dir.path, "h");
    assert.equal(summary.rowsRead, 0);
    assert.equal(summary.parts.length, 1);
    assert.equal(await readGz(join(dir.path, "h", summary.parts[0]!.relPath)), "key,data\n");
  });
});
