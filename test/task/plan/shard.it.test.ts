import assert from "node:assert/strict";
import { copyFile, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { parse } from "csv-parse/sync";
import { localAwsEnv } from "../../support/aws-env.ts";
import { cachedSample } from "../../support/sample-files.ts";
import { freshBucket, type S3TestEndpoint } from "../../support/s3-server.ts";
import { useS3 } from "../../support/task-services.ts";
import { tempDir } from "../../support/temp-dir.ts";
import { lastJson, runCli } from "../../support/cli.ts";

const MiB = 2 ** 20;

/** The clean rows of a published run or shard folder (plain CSV parts), as `key|data`. */
async function cleanRows(folder: string): Promise<string[]> {
  const dir = join(folder, "clean");
  const rows: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const records = parse(await readFile(join(dir, name)), { from_line: 2 }) as string[][];
    rows.push(...records.map(([k, d]) => `${k}|${d}`));
  }
  return rows;
}

describe("cti-etl shard", function () {
  this.timeout(180_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(async () => dir.cleanup());
  const cli = (args: string[], env: NodeJS.ProcessEnv = process.env) => runCli(args, { env });

  it("shards of a folder read every object once; together they hold the single run's rows, each shard deduplicated on its own", async () => {
    const input = join(dir.path, "in");
    await mkdir(input);
    for (const [i, seed] of [11, 12, 13, 14].entries()) await copyFile((await cachedSample(6_000, { seed })).path, join(input, `part-${i}.csv`));
    // The first file again, last: its rows are duplicates of another shard's.
    await copyFile(join(input, "part-0.csv"), join(input, "part-9.csv"));
    const out = join(dir.path, "out");
    const planned = await cli(["plan", "-i", input, "-o", out, "--run-id", "fan", "--shard-bytes", String(MiB)]);
    assert.equal(planned.code, 0, planned.stderr);
    const { shards, plan } = lastJson(planned);
    assert.ok(shards >= 2, `${shards} shard(s)`);

    const results: { outcome: string; runId: string; shard: number; of: number; summary: Record<string, number> & { inputs: { uri: string }[] } }[] = [];
    for (let k = 0; k < shards; k++) {
      const r = await cli(["shard", "--plan", plan, "--index", String(k), "--compression", "none"]);
      assert.equal(r.code, 0, r.stderr);
      results.push(lastJson(r));
    }
    assert.deepEqual(results.map((r) => [r.outcome, r.runId, r.shard, r.of]), results.map((_, k) => ["published", "fan", k, shards]));
    const read = results.flatMap((r) => r.summary.inputs.map((i: { uri: string }) => i.uri.split("/").pop()));
    assert.deepEqual(read, ["part-0.csv", "part-1.csv", "part-2.csv", "part-3.csv", "part-9.csv"], "every object once, in order");

    const single = await cli(["run", "-i", input, "-o", join(dir.path, "single"), "--warehouse", "none", "--compression", "none", "--run-id", "one"]);
    assert.equal(single.code, 0, single.stderr);
    const whole = lastJson(single);
    const sum = (field: string) => results.reduce((n, r) => n + r.summary[field]!, 0);
    assert.equal(sum("rowsRead"), whole.rowsRead);
    assert.equal(sum("rejected"), whole.rejected);
    assert.ok(sum("clean") > whole.clean, "the copied file's rows are clean again in its own shard");
    const shardRows = (await Promise.all(results.map((_, k) => cleanRows(join(out, "fan", "shards", String(k).padStart(5, "0")))))).flat();
    assert.deepEqual([...new Set(shardRows)].sort(), (await cleanRows(join(dir.path, "single", "one"))).sort());

    const again = await cli(["shard", "--plan", plan, "--index", "0", "--compression", "none"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(lastJson(again).outcome, "already-published");
    assert.deepEqual(lastJson(again).summary, results[0]!.summary);
    assert.match(again.stderr, /shard 0 of \d+ was already published; not run again/);
  });

  it("exits 2 for a shard the plan does not have, a missing plan, and a file changed since it was planned", async () => {
    const input = join(dir.path, "in.csv");
    await writeFile(input, "Key,Data\na,b\n");
    const out = join(dir.path, "out");
    const { plan } = lastJson(await cli(["plan", "-i", input, "-o", out, "--run-id", "r1"]));
    const beyond = await cli(["shard", "--plan", plan, "--index", "1"]);
    assert.equal(beyond.code, 2);
    assert.match(beyond.stderr, /USAGE: --index 1: the plan .* has 1 shard\(s\), 0 to 0/);
    const missing = await cli(["shard", "--plan", join(out, "r2", "plan.jsonl"), "--index", "0"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /INPUT_NOT_FOUND .*r2\/plan\.jsonl: no plan here: run cti-etl plan first/);
    await writeFile(input, "Key,Data\na,b\nc,d\n");
    const changed = await cli(["shard", "--plan", plan, "--index", "0"]);
    assert.equal(changed.code, 2, changed.stderr);
    assert.match(changed.stderr, /INPUT_CHANGED .*in\.csv: the file has 17 bytes, the plan 13/);
  });

  describe("on S3 (radosgw)", function () {
    const s3 = useS3();
    let ep: S3TestEndpoint;
    let client: S3Client;
    before(() => ({ ep, client } = s3));

    it("two attempts of one shard at once publish it once, both exit 0; an object replaced after planning stops a shard with INPUT_CHANGED", async () => {
      const bucket = await freshBucket("shard");
      const { path } = await cachedSample(20_000, { seed: 5 });
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: "in/a.csv", Body: await readFile(path) }));
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: "in/b.csv", Body: "Key,Data\nx,y\n" }));
      const env = localAwsEnv(ep);
      const planned = await cli(["plan", "-i", `s3://${bucket}/in/`, "-o", `s3://${bucket}/runs/`, "--run-id", "s1", "--shard-bytes", String(MiB)], env);
      assert.equal(planned.code, 0, planned.stderr);
      const { plan, shards } = lastJson(planned);
      assert.equal(shards, 2);
      const attempt = () => cli(["shard", "--plan", plan, "--index", "0"], env);
      const [one, two] = await Promise.all([attempt(), attempt()]);
      assert.equal(one.code, 0, one.stderr);
      assert.equal(two.code, 0, two.stderr);
      assert.deepEqual([lastJson(one).outcome, lastJson(two).outcome].sort(), ["already-published", "published"]);
      assert.deepEqual(lastJson(one).summary, lastJson(two).summary, "both report the published summary");
      assert.equal(lastJson(one).summary.output, `s3://${bucket}/runs/s1/shards/00000/`);

      await client.send(new PutObjectCommand({ Bucket: bucket, Key: "in/b.csv", Body: "Key,Data\nx,changed\n" }));
      const changed = await cli(["shard", "--plan", plan, "--index", "1"], env);
      assert.equal(changed.code, 2, changed.stderr);
      assert.match(changed.stderr, /INPUT_CHANGED|PreconditionFailed/);
    });
  });
});
