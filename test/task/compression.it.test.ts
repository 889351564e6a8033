import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { parse } from "csv-parse/sync";
import { partSuffix, zlibCapabilities, type Compression } from "../../task/src/sinks/codec.ts";
import { decompressPart } from "../support/part-bytes.ts";
import { cachedSample } from "../support/sample-files.ts";
import { freshBucket } from "../support/s3-server.ts";
import { redshiftTaskEnv, useTaskServices } from "../support/task-services.ts";
import { tempDir } from "../support/temp-dir.ts";
import { runNode24 } from "../support/under-node24.ts";
import { CLI, lastJson, runCli } from "../support/cli.ts";

const byKeyThenData = (a: string[], b: string[]) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : 0);

/** The rows of parts (their header dropped), read by zlib or the zstd command, not by the job's reader. */
function rowsOf(files: Buffer[], compression: Compression): string[][] {
  return files.flatMap((bytes) => (parse(decompressPart(bytes, compression)) as string[][]).slice(1)).sort(byKeyThenData);
}

interface RunSummaryJson {
  runId: string;
  clean: number;
  rejected: number;
  loaded: number;
  loadOutcome: string;
  output: string;
  parts: { relPath: string; rows: number; bytes: number }[];
  rejectedFiles: { relPath: string; rows: number }[];
}

describe("the parts' codec end to end, from the command line (Node 20 and Node 24)", function () {
  this.timeout(300_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(async () => dir.cleanup());

  // The test process's Node: 20 on these machines (no zstd), in which case it must refuse zstd.
  const testNodeHasZstd = zlibCapabilities().zstd;
  (testNodeHasZstd ? it.skip : it)("on Node 20 (no zstd): writes gzip parts by default, and --compression zstd exits 2 before anything is written", async () => {
    const { path } = await cachedSample(2_000, { seed: 41 });
    const env = { ...process.env, CTI_WAREHOUSE: "none" };
    const out = join(dir.path, "out");
    const run = await runCli(["run", "-i", path, "-o", out, "--run-id", "gz"], { env });
    assert.equal(run.code, 0, run.stderr);
    const summary = lastJson(run) as RunSummaryJson;
    assert.ok([...summary.parts, ...summary.rejectedFiles].every((p) => p.relPath.endsWith(".csv.gz")), JSON.stringify(summary.parts));

    const zstd = await runCli(["run", "-i", path, "-o", join(dir.path, "never"), "--compression", "zstd"], { env });
    assert.equal(zstd.code, 2, zstd.stderr);
    assert.match(zstd.stderr, /USAGE: --compression zstd needs a Node\.js with zstd in node:zlib \(22\.15 or later\); this is Node 20\.\d+\.\d+: use --compression gzip or none/);
    assert.deepEqual(await readdir(join(dir.path, "never")).catch(() => []), []);
    const fromEnv = await runCli(["run", "-i", path, "-o", join(dir.path, "never")], { env: { ...env, CTI_COMPRESSION: "zstd" } });
    assert.equal(fromEnv.code, 2, fromEnv.stderr);
  });

  it("on Node 24: writes zstd parts by default (clean, rejected, manifest) and loads them into the embedded warehouse exactly", async () => {
    const { path, expected } = await cachedSample(20_000, { seed: 42 });
    const warehouse = join(dir.path, "wh");
    const env = { ...process.env, CTI_WAREHOUSE: warehouse };
    const run = await runNode24([CLI, "run", "-i", path, "-o", join(dir.path, "out"), "--run-id", "zst", "--slices", "2", "--part-size", "1"], { env });
    assert.equal(run.code, 0, run.stderr);
    const summary = lastJson(run) as RunSummaryJson;
    assert.deepEqual([summary.loadOutcome, summary.loaded, summary.clean, summary.rejected], ["loaded", expected.clean, expected.clean, expected.rejected]);
    assert.ok(summary.parts.length >= 2 && summary.parts.length % 2 === 0, `${summary.parts.length} parts`);
    assert.ok([...summary.parts, ...summary.rejectedFiles].every((p) => p.relPath.endsWith(".csv.zst")), JSON.stringify(summary.parts));
    const runDir = join(dir.path, "out", "zst");
    const manifest = JSON.parse(await readFile(join(runDir, "manifest.json"), "utf8")) as { entries: { url: string; meta: { content_length: number } }[] };
    assert.deepEqual(manifest.entries.map((e) => e.url.replace(/^.*\/zst\//, "")), summary.parts.map((p) => p.relPath));
    const files = await Promise.all(summary.parts.map((p) => readFile(join(runDir, p.relPath))));
    assert.deepEqual(manifest.entries.map((e) => e.meta.content_length), files.map((f) => f.length));
    // The zstd command reads each part whole, every frame checked (the parts are not read by the job's own code here).
    for (const file of files) execFileSync("zstd", ["-t", "-q"], { input: file });
    const rejected = await Promise.all(summary.rejectedFiles.map((p) => readFile(join(runDir, p.relPath))));
    assert.equal(rowsOf(rejected, "zstd").length, expected.rejected);

    const table = await runNode24([CLI, "sql", "--json", "SELECT key, data FROM public.cti_records ORDER BY key, data"], { env });
    assert.equal(table.code, 0, table.stderr);
    const loaded = table.stdout.trim().split("\n").map((l) => JSON.parse(l) as { key: string; data: string });
    assert.deepEqual(loaded.map((r) => [r.key, r.data]).sort(byKeyThenData), rowsOf(files, "zstd"));
  });

  it("on Node 24: --compression gzip and none write and load their parts too", async () => {
    const { path, expected } = await cachedSample(3_000, { seed: 43 });
    const env = { ...process.env, CTI_WAREHOUSE: join(dir.path, "wh") };
    for (const compression of ["gzip", "none"] as const) {
      const table = `public.rows_${compression}`;
      const run = await runNode24([CLI, "run", "-i", path, "-o", join(dir.path, "out"), "--run-id", compression, "--compression", compression, "--table", table], { env });
      assert.equal(run.code, 0, run.stderr);
      const summary = lastJson(run) as RunSummaryJson;
      assert.deepEqual([summary.loadOutcome, summary.loaded], ["loaded", expected.clean], compression);
      assert.ok(summary.parts.every((p) => p.relPath.endsWith(partSuffix(compression))), JSON.stringify(summary.parts));
      const files = await Promise.all(summary.parts.map((p) => readFile(join(dir.path, "out", compression, p.relPath))));
      const rows = await runNode24([CLI, "sql", "--json", `SELECT key, data FROM ${table}`], { env });
      assert.deepEqual(rows.stdout.trim().split("\n").map((l) => Object.values(JSON.parse(l)) as string[]).sort(byKeyThenData), rowsOf(files, compression));
    }
  });
});

describe("zstd parts through S3 and the Redshift Data API emulator's COPY, under Node 24", function () {
  this.timeout(300_000);
  const services = useTaskServices();

  it("uploads .csv.zst parts as application/zstd, COPYs them with ZSTD, and the table equals the parts", async () => {
    const bucket = await freshBucket("zstd");
    const { path, expected } = await cachedSample(5_000, { seed: 44 });
    await services.client.send(new PutObjectCommand({ Bucket: bucket, Key: "input/a.csv", Body: await readFile(path) }));
    const env = redshiftTaskEnv(services, bucket, "public.t_zstd", { CTI_SLICES: "2" });
    const run = await runNode24([CLI], { env });
    assert.equal(run.code, 0, run.stderr);
    const summary = lastJson(run) as RunSummaryJson;
    assert.deepEqual([summary.loadOutcome, summary.loaded], ["loaded", expected.clean]);
    const prefix = summary.output.replace(`s3://${bucket}/`, "");
    const files: Buffer[] = [];
    for (const p of summary.parts) {
      assert.ok(p.relPath.endsWith(".csv.zst"), p.relPath);
      const head = await services.client.send(new HeadObjectCommand({ Bucket: bucket, Key: prefix + p.relPath }));
      assert.equal(head.ContentType, "application/zstd");
      const o = await services.client.send(new GetObjectCommand({ Bucket: bucket, Key: prefix + p.relPath }));
      files.push(Buffer.from(await o.Body!.transformToByteArray()));
    }
    const copies = services.emulator.statements.list().flatMap((s) => s.sqls).filter((q) => /^\s*COPY\b/i.test(q) && q.includes(`s3://${bucket}/`));
    assert.equal(copies.length, 1);
    assert.match(copies[0]!, /\nFORMAT AS CSV\nZSTD\nMANIFEST\n/);
    const table = await services.emulator.db.query<{ key: string; data: string }>("SELECT key, data FROM public.t_zstd");
    assert.deepEqual(table.rows.map((r) => [r.key, r.data]).sort(byKeyThenData), rowsOf(files, "zstd"));
  });
});
