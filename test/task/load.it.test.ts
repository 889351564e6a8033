import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { parse } from "csv-parse/sync";
import { redshiftTaskEnvironment } from "../../task/src/config/task-environment.ts";
import type { RedshiftDataEmulator } from "../support/redshift-data-emulator/index.ts";
import { cachedSample } from "../support/sample-files.ts";
import { freshBucket } from "../support/s3-server.ts";
import { redshiftTaskEnv, useTaskServices } from "../support/task-services.ts";
import { tempDir } from "../support/temp-dir.ts";
import { lastJson, runCli } from "../support/cli.ts";


describe("loading into the embedded warehouse (PGlite) from the command line", function () {
  this.timeout(120_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => (dir = await tempDir()));
  after(async () => dir.cleanup());
  const cli = (...args: string[]) => runCli(args, { env: { ...process.env, CTI_WAREHOUSE: join(dir.path, "wh") } });

  it("loads the clean rows once; a rerun of the same input adds nothing and names the first run; a changed input adds only new rows", async () => {
    const { path, expected } = await cachedSample(5_000, { seed: 21 });
    const first = await cli("run", "-i", path, "-o", join(dir.path, "out"), "--run-id", "first");
    assert.equal(first.code, 0, first.stderr);
    const s1 = lastJson(first);
    assert.deepEqual([s1.loadOutcome, s1.loadedBy, s1.loaded, s1.alreadyPresent], ["loaded", "first", expected.clean, 0]);

    const rows = await cli("sql", "--json", "SELECT key, data, run_id FROM public.cti_records ORDER BY key, data");
    assert.equal(rows.code, 0, rows.stderr);
    const loaded = rows.stdout.trim().split("\n").map((l) => JSON.parse(l) as { key: string; data: string; run_id: string });
    const parts: string[][] = [];
    for (const p of s1.parts) parts.push(...(parse(gunzipSync(await readFile(join(dir.path, "out", "first", p.relPath)))) as string[][]).slice(1));
    const byKey = (a: string[], b: string[]) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : 0);
    assert.deepEqual(loaded.map((r) => [r.key, r.data]), parts.sort(byKey));
    assert.ok(loaded.every((r) => r.run_id === "first"));
    assert.deepEqual(JSON.parse(await readFile(join(dir.path, "out", "first", "load.json"), "utf8")).outcome, "loaded");

    const again = await cli("run", "-i", path, "-o", join(dir.path, "out"), "--run-id", "again");
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already loaded: this input was loaded by run first/);
    const s2 = lastJson(again);
    assert.deepEqual([s2.loadOutcome, s2.loadedBy, s2.loaded], ["already-loaded", "first", 0]);

    const changed = join(dir.path, "changed.csv");
    await writeFile(changed, (await readFile(path, "utf8")) + "brand-new key,Brand New Data\n  ALPHA-one-off ,  x  \n");
    const third = await cli("run", "-i", changed, "-o", join(dir.path, "out"), "--run-id", "third");
    assert.equal(third.code, 0, third.stderr);
    const s3 = lastJson(third);
    assert.deepEqual([s3.loadOutcome, s3.loaded, s3.alreadyPresent], ["loaded", 2, expected.clean]);
    const count = await cli("sql", "--json", "SELECT count(*)::int AS n FROM public.cti_records");
    assert.equal(JSON.parse(count.stdout).n, expected.clean + 2);
  });

  it("loads stored parts (--gzip-level 0) cut for the slices and threads the environment asks for", async () => {
    const { path, expected } = await cachedSample(5_000, { seed: 22 });
    const env = { ...process.env, CTI_WAREHOUSE: join(dir.path, "wh"), CTI_SLICES: "3", CTI_WORKERS: "2" };
    const run = await runCli(["run", "-i", path, "-o", join(dir.path, "out"), "--run-id", "stored", "--gzip-level", "0", "--table", "public.stored_rows"], { env });
    assert.equal(run.code, 0, run.stderr);
    const summary = lastJson(run);
    assert.deepEqual([summary.loadOutcome, summary.loaded], ["loaded", expected.clean]);
    assert.equal(summary.parts.length % 3, 0);
    for (const p of summary.parts as { relPath: string }[]) {
      const file = await readFile(join(dir.path, "out", "stored", p.relPath));
      // Stored deflate blocks: the file is a little larger than the rows it holds.
      assert.ok(file.length >= gunzipSync(file).length, p.relPath);
    }
    const count = await cli("sql", "--json", "SELECT count(*)::int AS n FROM public.stored_rows");
    assert.equal(JSON.parse(count.stdout).n, expected.clean);
  });

  it("prints query results as a table, and refuses a statement that writes", async () => {
    const table = await cli("sql", "SELECT 1 AS one, 'x' AS letter");
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /one \| letter\n-+-\+-+\n1\s+\| x\n\(1 row\)/);
    const write = await cli("sql", "DELETE FROM public.cti_records");
    assert.equal(write.code, 2, write.stderr);
    assert.equal(write.stderr.trim(), "cti-etl: QUERY_FAILED: the warehouse refused the statement: cannot execute DELETE in a read-only transaction (SQLSTATE 25006)");
  });

  it("names a statement's error and its position, with exit 2 and no stack trace", async () => {
    const missing = await cli("sql", "SELECT * FROM public.nowhere");
    assert.equal(missing.code, 2, missing.stderr);
    assert.equal(missing.stderr.trim(), 'cti-etl: QUERY_FAILED: the warehouse refused the statement: relation "public.nowhere" does not exist (SQLSTATE 42P01, at character 15)');
  });
});

describe("the task configured only by its environment, as on Fargate: radosgw → Data API emulator", function () {
  this.timeout(180_000);
  const services = useTaskServices();
  let client: S3Client;
  let emulator: RedshiftDataEmulator;
  before(() => ({ client, emulator } = services));

  /** Exactly the task environment the infra sets, pointed at local services. */
  function taskEnv(bucket: string, table: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env = redshiftTaskEnv(services, bucket, table, extra);
    const cti = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith("CTI_") && !(k in extra)));
    assert.ok(!(redshiftTaskEnvironment(cti) instanceof Error) && !Array.isArray(redshiftTaskEnvironment(cti)), "the task environment schema accepts the test's environment");
    return env;
  }
  const task = (env: NodeJS.ProcessEnv) => runCli([], { env });

  async function tableRows(table: string): Promise<string[][]> {
    const r = await emulator.db.query<{ key: string; data: string }>(`SELECT key, data FROM ${table} ORDER BY key, data`);
    return r.rows.map((x) => [x.key, x.data]);
  }
  async function ledgerRows(table: string): Promise<number> {
    const r = await emulator.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}_ledger`).catch(() => ({ rows: [{ n: 0 }] }));
    return r.rows[0]!.n;
  }
  async function cleanParts(bucket: string, summary: { output: string; parts: { relPath: string }[] }): Promise<string[][]> {
    const prefix = summary.output.replace(`s3://${bucket}/`, "");
    const rows: string[][] = [];
    for (const p of summary.parts) {
      const o = await client.send(new GetObjectCommand({ Bucket: bucket, Key: prefix + p.relPath }));
      rows.push(...(parse(gunzipSync(Buffer.from(await o.Body!.transformToByteArray()))) as string[][]).slice(1));
    }
    return rows.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : 0));
  }
  async function putInput(bucket: string, key: string, body: string | Buffer) {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `input/${key}`, Body: body }));
  }

  it("loads the clean parts exactly; reruns are no-ops; a changed input adds only its new rows", async () => {
    const bucket = await freshBucket("load");
    const { path, expected } = await cachedSample(3_000, { seed: 31 });
    await putInput(bucket, "a.csv", await readFile(path));
    const first = await task(taskEnv(bucket, "public.t_load"));
    assert.equal(first.code, 0, first.stderr);
    const s1 = lastJson(first);
    assert.deepEqual([s1.loadOutcome, s1.loaded, s1.alreadyPresent], ["loaded", expected.clean, 0]);
    assert.deepEqual(await tableRows("public.t_load"), await cleanParts(bucket, s1));
    assert.ok(emulator.statements.list().some((s) => s.isBatch && s.sqls.some((q) => /^\s*COPY\b[\s\S]*MANIFEST/i.test(q))), "loaded through a COPY … MANIFEST batch");

    const rerun = await task(taskEnv(bucket, "public.t_load"));
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stderr, new RegExp(`already loaded: this input was loaded by run ${s1.runId}`));
    assert.equal(lastJson(rerun).loaded, 0);
    assert.equal((await tableRows("public.t_load")).length, expected.clean);

    await putInput(bucket, "b.csv", "Key,Data\nnew-one,First\nNEW-TWO,second\n" + (await readFile(path, "utf8")).split("\n").slice(1, 50).join("\n") + "\n");
    const changed = await task(taskEnv(bucket, "public.t_load"));
    assert.equal(changed.code, 0, changed.stderr);
    const s3 = lastJson(changed);
    assert.equal(s3.loaded, 2);
    assert.equal(s3.alreadyPresent, s3.clean - 2);
    assert.equal((await tableRows("public.t_load")).length, expected.clean + 2);
    assert.equal(await ledgerRows("public.t_load"), 2, "one ledger row per load that happened");
  });

  it("commits nothing when a statement fails in the middle of the load", async () => {
    const bucket = await freshBucket("fail");
    await putInput(bucket, "a.csv", "Key,Data\na,b\nc,d\n");
    // The insert of new rows into the target: after the COPY, before the ledger row.
    emulator.faults.failWhen = (sql) => (/^\s*INSERT INTO "public"\."t_fail" /.test(sql) ? "ERROR: injected failure" : undefined);
    try {
      const r = await task(taskEnv(bucket, "public.t_fail"));
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /LOAD_FAILED: .*statement \d+ of \d+ \(insert-new-rows\) ended FAILED: ERROR: injected failure/);
    } finally {
      delete emulator.faults.failWhen;
    }
    assert.deepEqual(await tableRows("public.t_fail").catch(() => []), []);
    assert.equal(await ledgerRows("public.t_fail"), 0);
  });

  it("cti-etl sql names the statement Redshift refused, with exit 2", async () => {
    const r = await runCli(["sql", "SELECT * FROM public.nowhere"], { env: taskEnv("unused", "public.t_sql") });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr.trim(), /^cti-etl: QUERY_FAILED: warehouse: Redshift statement 1 of 1 \(query\) ended FAILED: .*relation "public\.nowhere" does not exist/);
  });

  it("cancels a statement that hangs past the deadline and fails the run", async () => {
    const bucket = await freshBucket("hang");
    await putInput(bucket, "a.csv", "Key,Data\na,b\n");
    emulator.faults.hangWhen = (sql) => /^\s*COPY\b/i.test(sql) && sql.includes(`s3://${bucket}/`);
    const before = emulator.statements.list().length;
    try {
      const r = await task(taskEnv(bucket, "public.t_hang", { CTI_DEADLINE_SECONDS: "6" }));
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /cti-etl: DEADLINE_EXCEEDED: the run passed its deadline of 6 s .*work in flight was cancelled/);
    } finally {
      delete emulator.faults.hangWhen;
    }
    const mine = emulator.statements.list().slice(before);
    assert.ok(mine.some((s) => s.status === "ABORTED"), `statuses: ${mine.map((s) => s.status).join(",")}`);
    assert.deepEqual(await tableRows("public.t_hang").catch(() => []), []);
  });
});
