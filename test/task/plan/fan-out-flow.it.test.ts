import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { fanOutDefinition } from "../../../scheduler/fan-out-definition.ts";
import { runLocalFanOut, type TaskRun } from "../../support/local-fan-out.ts";
import type { RedshiftDataEmulator } from "../../support/redshift-data-emulator/index.ts";
import { cachedSample } from "../../support/sample-files.ts";
import { freshBucket } from "../../support/s3-server.ts";
import { redshiftTaskEnv, useTaskServices } from "../../support/task-services.ts";
import { lastJson, runCli } from "../../support/cli.ts";

const MiB = 2 ** 20;
const kind = (t: TaskRun) => `${t.command[0]}${t.command[0] === "shard" ? ` ${t.command[4]}` : ""}`;

/**
 * The fan-out state machine's control flow, run by aws-local-stepfunctions, every task the real
 * `cti-etl` command against radosgw and the Data API emulator (test/support/local-fan-out.ts).
 */
describe("the fan-out state machine run here: plan, shards, commit", function () {
  this.timeout(600_000);
  const services = useTaskServices();
  let client: S3Client;
  let emulator: RedshiftDataEmulator;
  before(() => ({ client, emulator } = services));

  /** A bucket holding four objects (the first again as a fifth, so rows repeat across shards), the definition and the task's environment for `table`. */
  async function setUp(table: string) {
    const bucket = await freshBucket("flow");
    const bodies = await Promise.all([51, 52, 53, 54].map(async (seed) => readFile((await cachedSample(10_000, { seed })).path)));
    for (const [i, body] of [...bodies, bodies[0]!].entries()) await client.send(new PutObjectCommand({ Bucket: bucket, Key: `input/p${i}.csv`, Body: body }));
    const env = redshiftTaskEnv(services, bucket, table, { CTI_SHARD_BYTES: String(MiB) });
    const definition = fanOutDefinition({
      clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/c",
      taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/cti-etl:1",
      containerName: "cti-etl",
      subnetIds: ["subnet-a"],
      securityGroupId: "sg-1",
      bucket,
      outputPrefix: "runs/",
      maxConcurrency: 2,
      shardAttempts: 3,
    });
    return { bucket, env, definition };
  }
  const rowCount = async (table: string) => (await emulator.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`).catch(() => ({ rows: [{ n: 0 }] }))).rows[0]!.n;

  it("four or more shards load exactly what one task loads; a shard killed midway is tried again and commit runs once; a rerun loads nothing", async () => {
    const { bucket, env, definition } = await setUp("public.t_flow");
    let killed = false;
    const started = Date.now();
    const run = await runLocalFanOut({
      definition,
      name: "exec-1",
      env,
      s3: client,
      onTaskStart: (command, child) => {
        // Shard 1's first attempt: stopped with SIGKILL before it could publish.
        if (command[0] === "shard" && command[4] === "1" && !killed) {
          killed = true;
          setTimeout(() => child.kill("SIGKILL"), 250);
        }
      },
    });
    const wall = Date.now() - started;
    assert.equal(run.error, undefined, JSON.stringify(run.error));
    const kinds = run.tasks.map(kind);
    const shards = kinds.filter((k) => k.startsWith("shard")).length - 1;
    assert.ok(shards >= 4, kinds.join(", "));
    assert.deepEqual(kinds.filter((k) => k === "shard 1").length, 2, "shard 1 ran twice");
    assert.equal(run.tasks.find((t) => kind(t) === "shard 1")!.exitCode, 137);
    assert.deepEqual([kinds[0], kinds.at(-1), kinds.filter((k) => k === "commit").length], ["plan", "commit", 1]);
    const committed = lastJson(run.tasks.at(-1)!.result);
    assert.equal(committed.loadOutcome, "loaded");

    // One task over the same objects into another table: the same rows and ledger counts.
    const single = await runCli(["run", "--run-id", "single-1"], { env: { ...env, CTI_TABLE: "public.t_single" } });
    assert.equal(single.code, 0, single.stderr);
    const rows = async (t: string) => (await emulator.db.query<{ k: string }>(`SELECT key || '|' || data AS k FROM ${t} ORDER BY 1`)).rows.map((r) => r.k);
    assert.deepEqual(await rows("public.t_flow"), await rows("public.t_single"));
    const counts = async (t: string) => (await emulator.db.query(`SELECT input_fingerprint, rows_read, clean, duplicates, rejected, loaded FROM ${t}_ledger`)).rows;
    assert.deepEqual(await counts("public.t_flow"), await counts("public.t_single"));
    console.log(`      [figures] ${shards} shards (MaxConcurrency 2), ${committed.rowsRead} rows, ${committed.loaded} loaded, ${committed.crossShardDuplicates} repeated across shards; one shard killed and tried again; ${(wall / 1000).toFixed(1)} s`);

    const rerun = await runLocalFanOut({ definition, name: "exec-1", env, s3: client });
    assert.equal(rerun.error, undefined, JSON.stringify(rerun.error));
    assert.ok(rerun.tasks.filter((t) => t.command[0] === "shard").every((t) => lastJson(t.result).outcome === "already-published"));
    assert.equal(await rowCount("public.t_flow"), committed.loaded);
    void bucket;
  });

  it("an ad-hoc execution naming its input plans and loads only that", async () => {
    const { bucket, env, definition } = await setUp("public.t_adhoc");
    const run = await runLocalFanOut({ definition, name: "adhoc-1", env, s3: client, input: { input: `s3://${bucket}/input/p1.csv` } });
    assert.equal(run.error, undefined, JSON.stringify(run.error));
    assert.deepEqual(run.tasks[0]!.command, ["plan", "--run-id", "adhoc-1", "--input", `s3://${bucket}/input/p1.csv`]);
    const committed = lastJson(run.tasks.at(-1)!.result);
    assert.deepEqual(committed.inputs.map((i: { uri: string }) => i.uri), [`s3://${bucket}/input/p1.csv`]);
    assert.equal(await rowCount("public.t_adhoc"), committed.loaded);
  });

  it("a shard whose input is bad fails at once, commit never runs and nothing loads; after the fix, running again redoes only that shard", async () => {
    const { bucket, env, definition } = await setUp("public.t_bad");
    // Plan first, then replace an object: its shard reads it pinned to the planned ETag and exits 2.
    const plan = await runCli(["plan", "--run-id", "exec-2"], { env });
    assert.equal(plan.code, 0, plan.stderr);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "input/p2.csv", Body: "Key,Data\nreplaced,after the plan\n" }));
    const failed = await runLocalFanOut({ definition, name: "exec-2", env, s3: client });
    assert.equal(failed.error?.name, "CtiEtl.BadInput");
    const bad = failed.tasks.filter((t) => t.exitCode === 2);
    assert.equal(bad.length, 1, "the bad shard ran once, not retried");
    assert.match(bad[0]!.result.stderr, /INPUT_CHANGED|PreconditionFailed/);
    assert.ok(!failed.tasks.some((t) => t.command[0] === "commit"), "commit never ran");
    assert.equal(await rowCount("public.t_bad"), 0);

    // The fix: the planned version back (a new ETag all the same: S3 ETags are MD5s of the bytes, so the same bytes give the same ETag).
    const original = await readFile((await cachedSample(10_000, { seed: 53 })).path);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "input/p2.csv", Body: original }));
    const redriven = await runLocalFanOut({ definition, name: "exec-2", env, s3: client });
    assert.equal(redriven.error, undefined, JSON.stringify(redriven.error));
    const outcomes = redriven.tasks.filter((t) => t.command[0] === "shard").map((t) => lastJson(t.result).outcome);
    assert.deepEqual(outcomes.filter((o) => o === "published").length, 1, `only the failed shard runs again: ${outcomes}`);
    assert.ok((await rowCount("public.t_bad")) > 0);
  });
});
