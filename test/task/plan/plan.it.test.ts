import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { parsePlan, type PlanLine } from "../../../task/src/plan/plan-file.ts";
import { localAwsEnv } from "../../support/aws-env.ts";
import { freshBucket, type S3TestEndpoint } from "../../support/s3-server.ts";
import { useS3 } from "../../support/task-services.ts";
import { tempDir } from "../../support/temp-dir.ts";
import { lastJson, runCli } from "../../support/cli.ts";

const MiB = 2 ** 20;

/** A CSV of about `bytes` bytes (its own rows, so every object differs). */
function csvOf(name: string, bytes: number): string {
  const row = `${name}-key,${"x".repeat(90)}\n`;
  return "Key,Data\n" + row.repeat(Math.max(1, Math.floor(bytes / row.length)));
}

/** Every object of the plan, in order, and each shard's size. */
const planned = (lines: PlanLine[]) => ({ uris: lines.flatMap((l) => l.objects.map((o) => o.uri)), sizes: lines.map((l) => l.bytes) });

describe("cti-etl plan", function () {
  this.timeout(120_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(async () => dir.cleanup());
  const cli = (args: string[], env: NodeJS.ProcessEnv = process.env) => runCli(args, { env });

  it("plans a folder in name order, balanced shards of whole files, once; a rerun reuses the plan whatever the folder holds now", async () => {
    const input = join(dir.path, "in");
    await mkdir(input);
    const sizes = { "b.csv": 0.9, "a.csv": 0.5, "d.csv": 0.7, "c.csv": 0.3, "e.csv": 0.6 };
    for (const [name, mib] of Object.entries(sizes)) await writeFile(join(input, name), csvOf(name, mib * MiB));
    const out = join(dir.path, "out");
    const first = await cli(["plan", "-i", input, "-o", out, "--run-id", "r1", "--shard-bytes", String(2 * MiB)]);
    assert.equal(first.code, 0, first.stderr);
    const result = lastJson(first);
    const text = await readFile(join(out, "r1", "plan.jsonl"), "utf8");
    const lines = parsePlan(text, "plan.jsonl");
    const { uris, sizes: shardSizes } = planned(lines);
    assert.deepEqual(uris.map((u) => u.split("/").pop()), ["a.csv", "b.csv", "c.csv", "d.csv", "e.csv"]);
    const total = shardSizes.reduce((a, b) => a + b, 0);
    assert.deepEqual(result, { runId: "r1", outcome: "planned", plan: `file://${join(out, "r1", "plan.jsonl")}`, shards: lines.length, objects: 5, bytes: total });
    assert.equal(lines.length, 2, `3 MiB at 2 MiB a shard: ${shardSizes}`);
    for (const size of shardSizes) assert.ok(size <= 2 * MiB && Math.abs(size - total / 2) <= 0.9 * MiB, `${shardSizes}`);
    assert.match(first.stderr, /run r1 planned: 2 shard\(s\) over 5 object\(s\)/);

    await writeFile(join(input, "f.csv"), csvOf("f", MiB));
    const again = await cli(["plan", "-i", input, "-o", out, "--run-id", "r1", "--shard-bytes", String(MiB)]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(lastJson(again), { ...result, outcome: "already-planned" });
    assert.equal(await readFile(join(out, "r1", "plan.jsonl"), "utf8"), text, "the plan is not rewritten");
  });

  it("exits 2 on a bad shard size, a missing input, and a stored plan that is damaged, naming the line", async () => {
    const bad = await cli(["plan", "-i", dir.path, "-o", dir.path, "--shard-bytes", "5"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /USAGE: --shard-bytes must be a whole number of bytes from 1048576 to/);
    const missing = await cli(["plan", "-i", join(dir.path, "nowhere"), "-o", join(dir.path, "out")]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /INPUT_NOT_FOUND/);
    await mkdir(join(dir.path, "out", "r9"), { recursive: true });
    await writeFile(join(dir.path, "out", "r9", "plan.jsonl"), '{"runId":"r9","index":0,"of":1,"bytes":1,"objects":[]}\n');
    const damaged = await cli(["plan", "-i", dir.path, "-o", join(dir.path, "out"), "--run-id", "r9"]);
    assert.equal(damaged.code, 2, damaged.stderr);
    assert.match(damaged.stderr, /cti-etl: BAD_PLAN file:\/\/.*\/out\/r9\/plan\.jsonl:1 field bytes: says 1 bytes, its objects add up to 0/);
  });

  it("documents itself in --help", async () => {
    const main = await cli(["--help"]);
    assert.match(main.stdout, /\n  plan +Cut an input prefix into shards/);
    const help = await cli(["plan", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--shard-bytes <n>/);
    assert.match(help.stdout, /plan\.jsonl/);
  });

  describe("on S3 (radosgw)", function () {
    const s3 = useS3();
    let ep: S3TestEndpoint;
    let client: S3Client;
    before(() => ({ ep, client } = s3));

    it("pins every object's ETag, in S3's key order; two attempts racing leave one plan, and both report it", async () => {
      const bucket = await freshBucket("plan");
      const keys = ["in/b.csv", "in/a.csv", "in/\u{1F600}.csv", "in/\uFF01.csv", "in/c.csv"];
      for (const [i, key] of keys.entries()) await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: csvOf(key, (i + 1) * 0.3 * MiB) }));
      const env = localAwsEnv(ep);
      const args = ["plan", "-i", `s3://${bucket}/in/`, "-o", `s3://${bucket}/runs/`, "--run-id", "s1", "--shard-bytes", String(MiB)];
      const [one, two] = await Promise.all([cli(args, env), cli(args, env)]);
      assert.equal(one.code, 0, one.stderr);
      assert.equal(two.code, 0, two.stderr);
      assert.deepEqual([lastJson(one).outcome, lastJson(two).outcome].sort(), ["already-planned", "planned"], "one attempt plans, the other finds its plan");
      assert.equal(lastJson(one).plan, `s3://${bucket}/runs/s1/plan.jsonl`);
      assert.deepEqual(lastJson(one).shards, lastJson(two).shards);
      const stored = await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: "runs/s1/plan.jsonl" }))).Body!.transformToString();
      const lines = parsePlan(stored, "plan.jsonl");
      const objects = lines.flatMap((l) => l.objects);
      assert.deepEqual(objects.map((o) => o.uri), ["in/a.csv", "in/b.csv", "in/c.csv", "in/\uFF01.csv", "in/\u{1F600}.csv"].map((k) => `s3://${bucket}/${k}`));
      for (const o of objects) {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: o.uri.replace(`s3://${bucket}/`, "") }));
        assert.equal(o.etag, head.ETag);
        assert.equal(o.bytes, head.ContentLength);
      }
      for (const l of lines) assert.ok(l.bytes <= MiB || l.objects.length === 1, `${planned(lines).sizes}`);
    });
  });
});
