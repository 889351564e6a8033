import assert from "node:assert/strict";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { EtlError } from "../../../task/src/errors.ts";
import type { JobOptions } from "../../../task/src/run/transform-and-publish.ts";
import type { RunSummary } from "../../../task/src/run/summary.ts";
import { cachedSample } from "../../support/sample-files.ts";
import { simpleTransform } from "../../support/simple-transform.ts";
import { tempDir } from "../../support/temp-dir.ts";
import { runLocal } from "../run/support/local-run.ts";
import { COMPRESSIONS, partSuffix, zlibCapabilities } from "../../../task/src/sinks/codec.ts";
import { decompressPart } from "../../support/part-bytes.ts";
import { mochaUnderNode24 } from "../../support/under-node24.ts";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";

const THIS_FILE = fileURLToPath(import.meta.url);

let runs = 0;

/** Runs the job; returns the summary and the clean and rejected files' text, parts joined in order, headers dropped. */
async function run(input: string, outRoot: string, extra: Partial<JobOptions> = {}) {
  const runId = `r${++runs}`;
  const summary = await runLocal(input, outRoot, runId, extra);
  const text = async (parts: RunSummary["parts"], header: string) => {
    let all = "";
    for (const p of parts) {
      const t = gunzipSync(await readFile(join(outRoot, runId, p.relPath))).toString("utf8");
      assert.ok(t.startsWith(header), `${p.relPath} starts with its header`);
      all += t.slice(header.length);
    }
    return all;
  };
  return { summary, clean: await text(summary.parts, "key,data\n"), rejected: await text(summary.rejectedFiles, "line,key,data,reason\n") };
}

/** The oracle's output for these input files, in order (gzip ones decompressed). */
async function oracle(...files: string[]) {
  const inputs = await Promise.all(files.map(async (f) => (f.endsWith(".gz") ? gunzipSync(await readFile(f)) : readFile(f))));
  return simpleTransform(inputs);
}

const countsOf = (s: RunSummary) => ({ rowsRead: s.rowsRead, clean: s.clean, duplicates: s.duplicates, rejected: s.rejected, rejectedByReason: s.rejectedByReason });

describe("transformAndPublish, the engine on every worker count against the simple transform (test/support oracle)", function () {
  this.timeout(300_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(async () => dir.cleanup());

  it("writes byte-identical clean and rejected rows, with the generator's counts", async () => {
    const { path, expected } = await cachedSample(20_000);
    const simple = await oracle(path);
    const single = await run(path, dir.path, { workers: 1 });
    for (const extra of [{ workers: 1 }, { workers: 1, batchBytes: 1 }, { workers: 2 }, { workers: 3, batchBytes: 10_000, gzipLevel: 0 }, { workers: 2, batchBytes: 1, gzipLevel: 6 }]) {
      const r = await run(path, dir.path, extra);
      assert.equal(r.clean, simple.clean, JSON.stringify(extra));
      assert.equal(r.rejected, simple.rejected);
      assert.deepEqual(countsOf(r.summary), expected);
      assert.deepEqual(r.summary.inputs.map((i) => i.counts), simple.counts);
      assert.deepEqual(r.summary.inputs.map((i) => [i.bytes, i.sha256]), single.summary.inputs.map((i) => [i.bytes, i.sha256]));
    }
  });

  it("gives the same result when the dedup spills to disk, whatever the budget and the worker count", async () => {
    const { path, expected } = await cachedSample(20_000);
    const simple = await oracle(path);
    const spillDir = join(dir.path, "spill");
    await mkdir(spillDir);
    for (const workers of [1, 2]) {
      for (const memoryBudgetBytes of [0, 200_000, 600_000]) {
        const spilled = await run(path, dir.path, { workers, batchBytes: 50_000, memoryBudgetBytes, spillDir });
        assert.equal(spilled.clean, simple.clean, `${workers} workers, budget ${memoryBudgetBytes}`);
        assert.deepEqual(countsOf(spilled.summary), expected);
        assert.deepEqual(spilled.summary.inputs[0]!.counts, simple.counts[0]);
      }
    }
    assert.deepEqual(await readdir(spillDir), [], "spill files removed");
  });

  for (const compression of COMPRESSIONS) {
    const title = `writes byte-identical compressed parts spilled or not, on any worker count and batch size (${compression})`;
    if (compression === "zstd" && !zlibCapabilities().zstd) {
      // This runtime (Node 20) has no zstd: the same test runs under Node 24 (the image's), and must pass there.
      it(`${title}, under Node 24`, async () => {
        const report = await mochaUnderNode24(THIS_FILE, "byte-identical compressed parts .*\\(zstd\\)$");
        assert.deepEqual(report.failures, []);
        assert.deepEqual(report.pending, []);
        assert.equal(report.passes.length, 1, report.passes.join("; "));
      });
      continue;
    }
    it(title, async () => {
      // Enough rows for several 1 MiB compressed blocks in every part.
      const { path } = await cachedSample(200_000);
      const spillDir = join(dir.path, "spill");
      await mkdir(spillDir);
      const partsOf = async (extra: Partial<JobOptions>) => {
        const runId = `r${++runs}`;
        const summary = await runLocal(path, dir.path, runId, { partBytes: 2_500_000, sliceCount: 2, compression, ...extra });
        return { summary, files: await Promise.all(summary.parts.map((p) => readFile(join(dir.path, runId, p.relPath)))) };
      };
      const base = await partsOf({});
      assert.ok(base.files.length >= 4, `parts: ${base.files.length}`);
      assert.ok(base.summary.parts.every((p) => p.relPath.endsWith(partSuffix(compression))));
      const rows = Buffer.concat(base.files.map((bytes) => decompressPart(bytes, compression).subarray("key,data\n".length)));
      assert.equal((parse(rows) as unknown[]).length, base.summary.clean);
      for (const extra of [{ workers: 2 }, { workers: 1, memoryBudgetBytes: 0, spillDir }, { workers: 2, batchBytes: 300_000, memoryBudgetBytes: 2_000_000, spillDir }, { batchBytes: 70_000 }]) {
        const other = await partsOf(extra);
        assert.deepEqual(other.summary.parts, base.summary.parts, JSON.stringify(extra));
        other.files.forEach((bytes, k) => assert.ok(bytes.equals(base.files[k]!), `${JSON.stringify(extra)}: part ${k}`));
      }
    });
  }

  it("makes the clean part count a multiple of the slice count, whatever the worker count", async () => {
    const { path } = await cachedSample(20_000);
    const simple = await oracle(path);
    for (const [workers, sliceCount, partBytes] of [[2, 4, 128 << 20], [2, 3, 100_000], [1, 4, 128 << 20], [1, 3, 100_000]] as const) {
      const r = await run(path, dir.path, { workers, batchBytes: 20_000, sliceCount, partBytes });
      assert.equal(r.summary.parts.length % sliceCount, 0);
      assert.ok(r.summary.parts.length >= sliceCount);
      assert.equal(r.clean, simple.clean);
      const manifest = JSON.parse(await readFile(join(dir.path, r.summary.runId, "manifest.json"), "utf8")) as { entries: unknown[] };
      assert.equal(manifest.entries.length, r.summary.parts.length);
    }
  });

  it("reads gzip, CRLF and folders of several inputs, deduplicating across them", async () => {
    const inDir = join(dir.path, "in");
    await mkdir(inDir);
    const a = await cachedSample(5_000, { seed: 3 });
    const crlf = await cachedSample(5_000, { seed: 3, crlf: true });
    await writeFile(join(inDir, "1.csv"), await readFile(a.path));
    await writeFile(join(inDir, "2.csv.gz"), gzipSync(await readFile(crlf.path)));
    await writeFile(join(inDir, "3.csv"), "\uFEFF\n\nDATA, key \nX,  Y\n\"a,b\",c\nq\n\"open,");
    const simple = await oracle(...["1.csv", "2.csv.gz", "3.csv"].map((f) => join(inDir, f)));
    for (const extra of [{ workers: 1 }, { workers: 3, batchBytes: 30_000 }]) {
      const r = await run(inDir, dir.path, extra);
      assert.equal(r.clean, simple.clean);
      assert.equal(r.rejected, simple.rejected);
      assert.deepEqual(r.summary.inputs.map((i) => i.counts), simple.counts);
    }
  });

  it("rejects invalid UTF-8 field by field, as the simple transform does", async () => {
    const input = join(dir.path, "bad.csv");
    await writeFile(input, Buffer.concat([Buffer.from("Key,Data\nok,fine\nbad"), Buffer.from([0xff]), Buffer.from(",x\nk,\"d"), Buffer.from([0xc3]), Buffer.from('"\nK,D\n')]));
    const simple = await oracle(input);
    for (const workers of [1, 2]) {
      const r = await run(input, dir.path, { workers });
      assert.equal(r.clean, simple.clean);
      assert.equal(r.rejected, simple.rejected);
      assert.equal(r.summary.rejected, 2);
    }
  });

  it("stops with BAD_HEADER and publishes nothing, as the simple transform does", async () => {
    const input = join(dir.path, "h.csv");
    await writeFile(input, "\n\nKey,Value\na,b\n");
    const expected = (e: unknown) => {
      assert.ok(e instanceof EtlError);
      assert.equal(e.code, "BAD_HEADER");
      assert.deepEqual(e.location, { file: "f.csv", line: 3, field: "Data" });
      return true;
    };
    assert.throws(() => simpleTransform([Buffer.from("\n\nKey,Value\na,b\n")]), expected);
    for (const workers of [1, 2]) {
      const out = join(dir.path, `out-${workers}`);
      await assert.rejects(run(input, out, { workers }), (e: unknown) => {
        assert.ok(e instanceof EtlError);
        assert.equal(e.code, "BAD_HEADER");
        assert.deepEqual(e.location, { file: input, line: 3, field: "Data" });
        return true;
      });
      assert.deepEqual(await readdir(out), []);
    }
  });

  it("handles a header-only input and an empty one like the simple transform", async () => {
    const input = join(dir.path, "h.csv");
    for (const workers of [1, 2]) {
      await writeFile(input, "Key,Data");
      const r = await run(input, dir.path, { workers });
      assert.equal(r.summary.rowsRead, simpleTransform([Buffer.from("Key,Data")]).counts[0]!.rowsRead);
      assert.equal(r.summary.rowsRead, 0);
      assert.equal(r.summary.parts.length, 1);
      await writeFile(input, "");
      await assert.rejects(run(input, dir.path, { workers }), (e: unknown) => e instanceof EtlError && e.code === "BAD_HEADER");
    }
    assert.throws(() => simpleTransform([Buffer.alloc(0)]), (e: unknown) => e instanceof EtlError && e.code === "BAD_HEADER");
  });

  it("stops with RECORD_TOO_LONG at the record's line on every worker count, holding no more than the limit, publishing nothing", async () => {
    const good = (from: number, n: number) => Array.from({ length: n }, (_, k) => `key-${from + k},Value ${from + k}\n`).join("");
    const cases: [string, string, number][] = [
      // An unterminated quote after 3,000 good rows (several batches before it).
      ["open quote", "\n\nKey,Data\n" + good(0, 3000) + 'k,"never closed\n' + good(3000, 15_000), 3003 + 1],
      // The same with quoted line breaks before it, and CRLF.
      ["quoted breaks", "Key,Data\r\n" + 'a,"x\r\ny"\r\n'.repeat(200) + good(0, 10) + 'k,"open\r\n' + good(10, 15_000), 1 + 400 + 10 + 1],
      // No line feed at all after the header.
      ["no line feeds", "Key,Data\n" + "x".repeat(300_000), 2],
      // At the very start, before the header is found.
      ["header", '"Key,Data\n' + good(0, 15_000), 1],
    ];
    for (const [name, text, line] of cases) {
      const input = join(dir.path, `${name}.csv`);
      await writeFile(input, text);
      // The limit is noticed at most one batch late (record-limit.ts): batches here are small.
      for (const extra of [{ workers: 1, batchBytes: 8_000 }, { workers: 2, batchBytes: 8_000 }, { workers: 3, batchBytes: 50_000 }]) {
        const out = join(dir.path, `out-${name}-${extra.workers}`);
        const outcome = await run(input, out, { ...extra, maxRecordBytes: 100_000 }).then(
          (r) => `no error: ${JSON.stringify(countsOf(r.summary))}`,
          (e: unknown) => e,
        );
        assert.ok(outcome instanceof EtlError, `${name}, ${extra.workers} workers: ${String(outcome)}`);
        await assert.rejects(Promise.reject(outcome), (e: unknown) => {
          assert.ok(e instanceof EtlError, String(e));
          assert.equal(e.code, "RECORD_TOO_LONG", `${name}, ${extra.workers} workers: ${e.message}`);
          assert.deepEqual(e.location, { file: input, line }, `${name}, ${extra.workers} workers`);
          return true;
        });
        assert.deepEqual(await readdir(out), [], `${name}, ${extra.workers} workers: nothing published`);
      }
    }
  });

  it("reads a record just under the limit (in bytes) on every worker count", async () => {
    const input = join(dir.path, "long.csv");
    const long = "v".repeat(60_000);
    await writeFile(input, `Key,Data\na,"${long}"\nb,c\n`);
    for (const extra of [{ workers: 1 }, { workers: 2, batchBytes: 8_000 }]) {
      const r = await run(input, dir.path, { ...extra, maxRecordBytes: 61_000 });
      assert.ok(r.clean === `a,${long}\nb,c\n`, `${extra.workers} workers: clean rows`);
    }
  });
});
