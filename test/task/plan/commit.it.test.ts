import assert from "node:assert/strict";
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { freshBucket } from "../../support/s3-server.ts";
import { redshiftTaskEnv, useTaskServices } from "../../support/task-services.ts";
import { cachedSample } from "../../support/sample-files.ts";
import { tempDir } from "../../support/temp-dir.ts";
import { lastJson, runCli } from "../../support/cli.ts";

const MiB = 2 ** 20;

describe("cti-etl commit: a planned run, end to end on the embedded warehouse", function () {
  this.timeout(300_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => (dir = await tempDir()));
  after(async () => dir.cleanup());
  const ok = async (args: string[]) => {
    const r = await runCli(args);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return r;
  };
  /** The table's rows, and the ledger's counts of its one run, through `cti-etl sql`. */
  async function warehouseState(warehouse: string) {
    const rows = (await ok(["sql", "--warehouse", warehouse, "--json", "SELECT key, data FROM public.cti_records ORDER BY key, data"])).stdout.trim().split("\n");
    const ledger = lastJson(await ok(["sql", "--warehouse", warehouse, "--json", "SELECT input_fingerprint, rows_read, clean, duplicates, rejected, loaded, already_present FROM public.cti_records_ledger"]));
    return { rows, ledger };
  }

  it("four or more shards load exactly the rows of a single run over the same input, with the same ledger counts and fingerprint; reruns by either path load nothing", async () => {
    const input = join(dir.path, "in");
    await mkdir(input);
    for (const [i, seed] of [21, 22, 23, 24].entries()) await copyFile((await cachedSample(12_000, { seed })).path, join(input, `part-${i}.csv`));
    await copyFile(join(input, "part-1.csv"), join(input, "part-9.csv"));
    const out = join(dir.path, "out");
    const planned = lastJson(await ok(["plan", "-i", input, "-o", out, "--run-id", "fan", "--shard-bytes", String(MiB)]));
    assert.ok(planned.shards >= 4, `${planned.shards} shards`);
    const started = Date.now();
    for (let k = 0; k < planned.shards; k++) await ok(["shard", "--plan", planned.plan, "--index", String(k)]);

    const fanned = join(dir.path, "wh-fanned");
    const committed = await ok(["commit", "--plan", join(out, "fan", "plan.jsonl"), "--warehouse", fanned]);
    const result = lastJson(committed);
    const wall = Date.now() - started;
    assert.equal(result.loadOutcome, "loaded");
    assert.match(committed.stderr, /run fan committed: \d+ rows loaded into public\.cti_records, 0 already present, \d+ kept by more than one shard/);
    // The run's outcome is reported where a fanned-out run ends: its EMF metrics (the no-recent-success alarm counts it).
    assert.match(committed.stderr, /"RunSucceeded":1,"RunFailed":0/);
    assert.match(committed.stderr, /"msg":"data check against history passed"/);

    const single = join(dir.path, "wh-single");
    const one = lastJson(await ok(["run", "-i", input, "-o", join(dir.path, "single"), "--warehouse", single, "--run-id", "one"]));
    const a = await warehouseState(fanned);
    const b = await warehouseState(single);
    assert.deepEqual(a.rows, b.rows, "the same table");
    assert.deepEqual(a.ledger, b.ledger, "the same ledger counts and input fingerprint");
    assert.equal(result.loaded, one.loaded);
    assert.equal(result.crossShardDuplicates, one.duplicates - result.duplicates);
    console.log(`      [figures] ${planned.shards} shards, ${one.rowsRead} rows (${one.clean} clean), plan + shards + commit in ${(wall / 1000).toFixed(1)} s`);

    const again = lastJson(await ok(["commit", "--plan", planned.plan, "--warehouse", fanned]));
    assert.deepEqual([again.loadOutcome, again.loadedBy, again.loaded], ["already-loaded", "fan", 0]);
    const byRun = lastJson(await ok(["run", "-i", input, "-o", join(dir.path, "single"), "--warehouse", fanned, "--run-id", "two"]));
    assert.deepEqual([byRun.loadOutcome, byRun.loadedBy], ["already-loaded", "fan"], "a single run over the same objects finds the fanned run's load");
    const load = JSON.parse(await readFile(join(out, "fan", "load.json"), "utf8"));
    assert.deepEqual([load.outcome, load.loaded, load.crossShardDuplicates], ["loaded", result.loaded, result.crossShardDuplicates]);
  });

  it("refuses to commit while a shard has not published (exit 1, nothing loaded), and without a warehouse (exit 2)", async () => {
    const input = join(dir.path, "in2");
    await mkdir(input);
    for (const [i, seed] of [31, 32, 33].entries()) await copyFile((await cachedSample(12_000, { seed })).path, join(input, `p${i}.csv`));
    const out = join(dir.path, "out2");
    const planned = lastJson(await ok(["plan", "-i", input, "-o", out, "--run-id", "part", "--shard-bytes", String(MiB)]));
    assert.ok(planned.shards >= 2);
    await ok(["shard", "--plan", planned.plan, "--index", "0"]);
    const warehouse = join(dir.path, "wh-partial");
    const early = await runCli(["commit", "--plan", planned.plan, "--warehouse", warehouse]);
    assert.equal(early.code, 1, early.stderr);
    assert.match(early.stderr, new RegExp(`SHARDS_INCOMPLETE .*: ${planned.shards - 1} of ${planned.shards} shard\\(s\\) have not published \\(1`));
    assert.match(early.stderr, /"RunSucceeded":0,"RunFailed":1/);
    const none = await runCli(["commit", "--plan", planned.plan, "--warehouse", "none"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /USAGE: cti-etl commit loads the run: it needs a warehouse/);
    const tables = lastJson(await ok(["sql", "--warehouse", warehouse, "--json", "SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'cti_records%'"]));
    assert.equal(tables.n, 0, "nothing was loaded, or even created");
  });
});

describe("cti-etl plan, shard and commit as the fan-out's tasks run them: radosgw → Data API emulator", function () {
  this.timeout(300_000);
  const services = useTaskServices();

  it("loads every shard's parts with one COPY in one transaction: the distinct clean rows once, the repeats counted as duplicates", async () => {
    const bucket = await freshBucket("commit");
    const bodies = await Promise.all([41, 42, 43].map(async (seed) => readFile((await cachedSample(12_000, { seed })).path)));
    const { client, emulator } = services;
    for (const [i, body] of [...bodies, bodies[0]!].entries()) await client.send(new PutObjectCommand({ Bucket: bucket, Key: `input/p${i}.csv`, Body: body }));
    // The task's environment as the infra sets it; each step's command as the state machine overrides it.
    const env = redshiftTaskEnv(services, bucket, "public.t_fan");
    const task = async (args: string[]) => {
      const r = await runCli(args, { env });
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      return lastJson(r);
    };
    const planned = await task(["plan", "--run-id", "exec-1", "--shard-bytes", String(MiB)]);
    assert.equal(planned.plan, `s3://${bucket}/runs/exec-1/plan.jsonl`);
    for (let k = 0; k < planned.shards; k++) await task(["shard", "--plan", planned.plan, "--index", String(k)]);
    const committed = await task(["commit", "--plan", planned.plan]);
    assert.equal(committed.loadOutcome, "loaded");
    const copies = emulator.statements.list().flatMap((st) => st.sqls).filter((q) => /^\s*COPY\b/i.test(q));
    assert.equal(copies.length, 1, "one COPY over every shard's parts");
    assert.match(copies[0]!, new RegExp(`FROM 's3://${bucket}/runs/exec-1/manifest\\.json'`));
    const { rows } = await emulator.db.query<{ n: number }>("SELECT count(*)::int AS n FROM public.t_fan");
    assert.equal(rows[0]!.n, committed.loaded);
    const ledger = (await emulator.db.query<Record<string, unknown>>("SELECT clean, duplicates, loaded FROM public.t_fan_ledger")).rows[0]!;
    assert.deepEqual([ledger.clean, ledger.duplicates, ledger.loaded].map(Number), [committed.loaded, committed.duplicates + committed.crossShardDuplicates, committed.loaded]);
    assert.ok(committed.crossShardDuplicates > 0, "the copied object's rows were kept by two shards");
    // Run again (a retried Commit step): the Data API's ClientToken, stable for the run and its
    // input, answers with the first load's batch, which does not run again.
    const again = await task(["commit", "--plan", planned.plan]);
    assert.deepEqual([again.loadedBy, again.loaded], ["exec-1", committed.loaded]);
    assert.equal(emulator.statements.list().flatMap((st) => st.sqls).filter((q) => /^\s*COPY\b/i.test(q)).length, 1, "no second COPY");
    assert.equal((await emulator.db.query<{ n: number }>("SELECT count(*)::int AS n FROM public.t_fan")).rows[0]!.n, committed.loaded);
  });
});
