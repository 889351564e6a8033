import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { gunzipSync } from "node:zlib";
import { GetObjectCommand, ListObjectsV2Command, PutBucketPolicyCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { parse } from "csv-parse/sync";
import { EtlError } from "../../../task/src/errors.ts";
import { s3ClientConfig } from "../../../task/src/s3/s3-client-config.ts";
import { s3Input } from "../../../task/src/source/s3-input.ts";
import { S3RunOutput } from "../../../task/src/sinks/s3-run-output.ts";
import { localAwsEnv } from "../../support/aws-env.ts";
import { runCommand, spawnTracked, stop } from "../../support/processes.ts";
import { cachedSample } from "../../support/sample-files.ts";
import { freshBucket, s3Server, s3ServerStartTimeoutMs, s3TestClient, type S3TestEndpoint } from "../../support/s3-server.ts";
import { startTcpProxy } from "../../support/tcp-proxy.ts";
import { tempDir } from "../../support/temp-dir.ts";
import { S3Client as Client } from "@aws-sdk/client-s3";
import { CLI } from "../../support/cli.ts";


/** The task's environment pointed at the local S3 server, with the load switched off. */
function awsEnv(ep: S3TestEndpoint, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  // These tests are about S3; loading is tested in test/task/load.it.test.ts.
  return localAwsEnv(ep, { CTI_WAREHOUSE: "none", ...overrides });
}

const cli = (env: NodeJS.ProcessEnv, ...args: string[]) => runCommand(process.execPath, [CLI, ...args], { env });

async function getText(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

async function keys(client: S3Client, bucket: string, prefix = ""): Promise<string[]> {
  const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (r.Contents ?? []).map((o) => o.Key!).sort();
}

/** Clean rows of a published S3 run, parts in manifest order. */
async function s3CleanRows(client: S3Client, bucket: string, runPrefix: string): Promise<string[][]> {
  const manifest = JSON.parse((await getText(client, bucket, `${runPrefix}manifest.json`)).toString()) as { entries: { url: string; meta: { content_length: number } }[] };
  const rows: string[][] = [];
  for (const entry of manifest.entries) {
    const key = entry.url.replace(`s3://${bucket}/`, "");
    const body = await getText(client, bucket, key);
    assert.equal(body.length, entry.meta.content_length);
    rows.push(...(parse(gunzipSync(body)) as string[][]).slice(1));
  }
  return rows;
}

describe("the job on S3 (radosgw)", function () {
  this.timeout(120_000);
  let ep: S3TestEndpoint;
  let client: S3Client;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  before(async function () {
    this.timeout(s3ServerStartTimeoutMs);
    ep = await s3Server();
    client = s3TestClient(ep);
  });
  beforeEach(async () => (dir = await tempDir()));
  afterEach(async () => dir.cleanup());

  async function uploadInputs(bucket: string): Promise<void> {
    const a = await cachedSample(4_000, { seed: 11 });
    const b = await cachedSample(4_000, { seed: 12, gzip: true });
    const c = await cachedSample(2_000, { seed: 11, crlf: true });
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "in/2026/a.csv", Body: await readFile(a.path) }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "in/2026/b.csv.gz", Body: await readFile(b.path) }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "in/2026/c.csv", Body: await readFile(c.path) }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "in/2026/", Body: "" })); // a console "folder"
    await import("node:fs/promises").then(async (fs) => {
      await fs.mkdir(join(dir.path, "local-in"));
      await fs.copyFile(a.path, join(dir.path, "local-in", "a.csv"));
      await fs.copyFile(b.path, join(dir.path, "local-in", "b.csv.gz"));
      await fs.copyFile(c.path, join(dir.path, "local-in", "c.csv"));
    });
  }

  it("runs from a prefix of plain and gzip objects to S3, configured by the environment alone, matching a local run", async () => {
    const bucket = await freshBucket("job");
    await uploadInputs(bucket);
    const env = awsEnv(ep, { CTI_INPUT: `s3://${bucket}/in/2026/`, CTI_OUTPUT: `s3://${bucket}/runs/` });
    const remote = await runCommand(process.execPath, [CLI], { env });
    assert.equal(remote.code, 0, remote.stderr);
    const summary = JSON.parse(remote.stdout.trim().split("\n").at(-1)!);
    assert.deepEqual(summary.inputs.map((i: { uri: string }) => i.uri), [`s3://${bucket}/in/2026/a.csv`, `s3://${bucket}/in/2026/b.csv.gz`, `s3://${bucket}/in/2026/c.csv`]);
    for (const input of summary.inputs) {
      assert.match(input.etag, /^"[0-9a-f]{32}"$/);
      assert.ok(input.counts.rowsRead > 0);
    }
    assert.equal(summary.rowsRead, summary.inputs.reduce((n: number, i: { counts: { rowsRead: number } }) => n + i.counts.rowsRead, 0));
    const runPrefix = `runs/${summary.runId}/`;
    assert.equal(summary.output, `s3://${bucket}/${runPrefix}`);
    const published = await keys(client, bucket, runPrefix);
    assert.ok(published.includes(`${runPrefix}summary.json`) && published.includes(`${runPrefix}manifest.json`));
    assert.deepEqual(JSON.parse((await getText(client, bucket, `${runPrefix}summary.json`)).toString()), summary);

    const local = await cli({ ...process.env, CTI_WAREHOUSE: "none" }, "run", "-i", join(dir.path, "local-in"), "-o", join(dir.path, "out"), "--run-id", "local");
    assert.equal(local.code, 0, local.stderr);
    const localSummary = JSON.parse(local.stdout.trim().split("\n").at(-1)!);
    assert.deepEqual([summary.clean, summary.duplicates, summary.rejected], [localSummary.clean, localSummary.duplicates, localSummary.rejected]);
    const localRows: string[][] = [];
    for (const part of localSummary.parts) localRows.push(...(parse(gunzipSync(await readFile(join(dir.path, "out", "local", part.relPath)))) as string[][]).slice(1));
    assert.deepEqual(await s3CleanRows(client, bucket, runPrefix), localRows);
  });

  it("reads one object named by its key", async () => {
    const bucket = await freshBucket("one");
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "data.csv", Body: "Key,Data\nA,B\n" }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "data.csv.old", Body: "Key,Data\nC,D\n" }));
    const r = await cli(awsEnv(ep), "run", "-i", `s3://${bucket}/data.csv`, "-o", `s3://${bucket}/out/`);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    assert.deepEqual([summary.inputs.length, summary.clean], [1, 1]);
  });

  describe("errors a user can act on exit 2 and name the URI", () => {
    let bucket: string;
    before(async () => {
      bucket = await freshBucket("errors");
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: "in/x.csv", Body: "Key,Data\na,b\n" }));
    });
    const cases: [string, () => [NodeJS.ProcessEnv, string], RegExp][] = [
      ["no such bucket", () => [awsEnv(ep), "s3://cti-no-such-bucket-zz/in/"], /INPUT_NOT_FOUND s3:\/\/cti-no-such-bucket-zz\/in\/: no such bucket/],
      ["no such key", () => [awsEnv(ep), `s3://${bucket}/in/missing.csv`], /INPUT_NOT_FOUND s3:\/\/.*\/in\/missing\.csv: no such key/],
      ["an empty prefix", () => [awsEnv(ep), `s3://${bucket}/nothing-here/`], /INPUT_NOT_FOUND s3:\/\/.*\/nothing-here\/: no objects under this prefix/],
      ["a wrong secret", () => [awsEnv(ep, { AWS_SECRET_ACCESS_KEY: "wrong" }), `s3://${bucket}/in/`], /INPUT_UNREADABLE s3:\/\/.*\/in\/: the AWS credentials were refused .*SignatureDoesNotMatch/],
      ["an unknown access key", () => [awsEnv(ep, { AWS_ACCESS_KEY_ID: "NOSUCHKEY0000000000" }), `s3://${bucket}/in/`], /INPUT_UNREADABLE .*credentials were refused .*InvalidAccessKeyId/],
    ];
    for (const [what, setup, message] of cases) {
      it(what, async () => {
        const [env, input] = setup();
        const r = await cli(env, "run", "-i", input, "-o", join(dir.path, "out"));
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, message);
      });
    }

    it("access denied", async () => {
      const denied = await freshBucket("denied");
      await client.send(new PutObjectCommand({ Bucket: denied, Key: "in/x.csv", Body: "Key,Data\na,b\n" }));
      const policy = {
        Version: "2012-10-17",
        Statement: [{ Effect: "Deny", Principal: "*", Action: ["s3:ListBucket", "s3:GetObject"], Resource: [`arn:aws:s3:::${denied}`, `arn:aws:s3:::${denied}/*`] }],
      };
      await client.send(new PutBucketPolicyCommand({ Bucket: denied, Policy: JSON.stringify(policy) }));
      const r = await cli(awsEnv(ep), "run", "-i", `s3://${denied}/in/`, "-o", join(dir.path, "out"));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`INPUT_UNREADABLE s3://${denied}/in/: access denied \\(AccessDenied 403\\)`));
    });
  });

  it("fails clearly when an object changes between listing and reading", async () => {
    const bucket = await freshBucket("changed");
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "in.csv", Body: "Key,Data\na,b\n" }));
    const [object] = await s3Input(client, { bucket, key: "in.csv" }).list();
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "in.csv", Body: "Key,Data\nc,d\n" }));
    await assert.rejects(
      (async () => {
        for await (const _ of object!.open());
      })(),
      (e: unknown) => e instanceof EtlError && e.code === "INPUT_CHANGED" && e.location.file === `s3://${bucket}/in.csv`,
    );
  });

  it("never lets a second run overwrite a published run", async () => {
    const bucket = await freshBucket("twice");
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "in.csv", Body: "Key,Data\na,b\n" }));
    const first = await cli(awsEnv(ep), "run", "-i", `s3://${bucket}/in.csv`, "-o", `s3://${bucket}/runs/`, "--run-id", "same");
    assert.equal(first.code, 0, first.stderr);
    const before = await getText(client, bucket, "runs/same/summary.json");
    const second = await cli(awsEnv(ep), "run", "-i", `s3://${bucket}/in.csv`, "-o", `s3://${bucket}/runs/`, "--run-id", "same");
    assert.equal(second.code, 2);
    assert.match(second.stderr, /OUTPUT_REJECTED s3:\/\/.*\/runs\/same\/: a run same was already published/);
    assert.deepEqual(await getText(client, bucket, "runs/same/summary.json"), before);
  });

  it("refuses, with a conditional put, to publish over a run that was published meanwhile", async () => {
    const bucket = await freshBucket("race");
    const a = await S3RunOutput.create(client, { bucket, key: "runs/" }, "r");
    const b = await S3RunOutput.create(client, { bucket, key: "runs/" }, "r");
    await a.publish([{ relPath: "summary.json", body: "a" }]);
    await assert.rejects(b.publish([{ relPath: "summary.json", body: "b" }]), (e: unknown) => e instanceof EtlError && e.code === "OUTPUT_REJECTED");
    assert.equal((await getText(client, bucket, "runs/r/summary.json")).toString(), "a");
  });

  it("exits non-zero and publishes nothing when the connection is cut midway; a rerun succeeds", async () => {
    const bucket = await freshBucket("cut");
    const big = await cachedSample(300_000, { seed: 5 });
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "in/big.csv", Body: await readFile(big.path) }));
    const url = new URL(ep.endpoint);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    try {
      // The cut-off run cannot release its lease; a short one lets the rerun take over soon.
      const env = awsEnv(ep, { AWS_ENDPOINT_URL_S3: proxy.endpoint, CTI_LEASE_TTL_SECONDS: "5" });
      const child = spawnTracked(process.execPath, [CLI, "run", "-i", `s3://${bucket}/in/`, "-o", `s3://${bucket}/runs/`, "--run-id", "cut", "--part-size", "1"], { env });
      let stderr = "";
      child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      try {
        const size = (await readFile(big.path)).length;
        while (proxy.bytes() < size / 3 && child.exitCode === null) await sleep(20);
        assert.equal(child.exitCode, null, "the run ended before the cut");
        proxy.cut();
        const code = await exited;
        assert.notEqual(code, 0);
        assert.match(stderr, /cti-etl: /);
      } finally {
        await stop(child);
      }
      const left = await keys(client, bucket, "runs/");
      assert.ok(!left.some((k) => k.endsWith("summary.json") || k.endsWith("manifest.json")), left.join(","));
      proxy.restore();
      // Until the cut-off run's lease expires, a rerun is skipped (exit 0), then it runs.
      let summary: { status: string; rowsRead?: number; clean?: number; reason?: string } = { status: "not run" };
      for (let attempt = 0; attempt < 10; attempt++) {
        const rerun = await cli(env, "run", "-i", `s3://${bucket}/in/`, "-o", `s3://${bucket}/runs/`);
        assert.equal(rerun.code, 0, rerun.stderr);
        summary = JSON.parse(rerun.stdout.trim().split("\n").at(-1)!);
        if (summary.status !== "skipped") break;
        assert.match(summary.reason!, /another run holds the lease/);
        await sleep(2000);
      }
      assert.equal(summary.status, "succeeded");
      assert.equal(summary.rowsRead, big.expected.rowsRead);
      assert.equal(summary.clean, big.expected.clean);
    } finally {
      await proxy.close();
    }
  });

  it("uploads through the job's own client configuration (WHEN_REQUIRED checksums) without corruption", async () => {
    const bucket = await freshBucket("checksum");
    const jobClient = new Client({ ...s3ClientConfig({ endpoint: ep.endpoint, region: ep.region }), credentials: { accessKeyId: ep.accessKeyId, secretAccessKey: ep.secretAccessKey } });
    const out = await S3RunOutput.create(jobClient, { bucket, key: "" }, "c");
    const sink = await out.createFile("clean/part-00000.csv.gz");
    const payload = Buffer.alloc(12 << 20, "x"); // > one 8 MiB part: a real multipart upload
    sink.stream.end(payload);
    await sink.done;
    assert.deepEqual(await getText(client, bucket, "c/clean/part-00000.csv.gz"), payload);
    jobClient.destroy();
  });
});
