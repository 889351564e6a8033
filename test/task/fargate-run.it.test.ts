/**
 * The task image run as Fargate runs it (test/support/fargate/run-as-fargate.ts): the image
 * built by a Docker engine from task/Dockerfile, started from the task definition the Pulumi
 * program declares, with stand-ins for the ECS task metadata endpoint, S3 (radosgw) and the
 * Redshift Data API (the emulator). Figures (wall time, peak memory) are printed for the README.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { parse } from "csv-parse/sync";
import { containerUser } from "../../infra/task-definition.ts";
import { compressionOfPart } from "../../task/src/sinks/codec.ts";
import { decompressPart } from "../support/part-bytes.ts";
import { defaultMemoryBudget } from "../../task/src/config/sizing.ts";
import { requireDockerEngine } from "../support/docker/engine.ts";
import { taskImage } from "../support/docker/task-image.ts";
import type { TaskDefinitionInputs } from "../support/fargate/docker-run-args.ts";
import { programTaskDefinition, removeFargateRuns, runAsFargate, type FargateRunOptions, type FargateRunResult } from "../support/fargate/run-as-fargate.ts";
import { startRedshiftDataEmulator, type RedshiftDataEmulator } from "../support/redshift-data-emulator/index.ts";
import { freshBucket, s3Server, s3ServerStartTimeoutMs, s3TestClient, type S3TestEndpoint } from "../support/s3-server.ts";
import { tempDir } from "../support/temp-dir.ts";

const MiB = 2 ** 20;

/**
 * The generator's cached sample (test/support/sample-files.ts), imported when first used: its
 * module graph has a top-level await, so a static import would make mocha load this file with
 * import() instead of require(), giving it its own copy of the Pulumi mocks module, where the
 * program (already loaded by the infra tests' copy) registers nothing.
 */
async function cachedSample(rows: number) {
  return (await import("../support/sample-files.ts")).cachedSample(rows);
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `s3://bucket/key` → parts. */
function s3Parts(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!m) throw new Error(`not an s3 URI: ${uri}`);
  return { bucket: m[1]!, key: m[2]! };
}

/** One line for the README's figures. */
function report(label: string, r: FargateRunResult): void {
  const mib = (n: number | undefined) => (n === undefined ? "unknown" : `${Math.round(n / MiB)} MiB`);
  const stages = r.stderr
    .split("\n")
    .filter((l) => l.includes("stage finished"))
    .map((l) => /"stage":"(\w+)".*"durationMs":(\d+)/.exec(l))
    .filter((m) => m !== null)
    .map((m) => `${m[1]} ${(Number(m[2]) / 1000).toFixed(1)} s`);
  console.log(
    `      [figures] ${label}: exit ${r.exitCode}, container wall ${(r.wallMs / 1000).toFixed(1)} s` +
      `${stages.length ? ` (${stages.join(", ")})` : ""}, peak RSS ${mib(r.peakRssBytes)}, cgroup peak incl. page cache ${mib(r.peakMemoryBytes)}`,
  );
}

describe("the task image run as Fargate runs it", function () {
  this.timeout(300_000);
  let image: string;
  let ep: S3TestEndpoint;
  let client: S3Client;
  let emulator: RedshiftDataEmulator;
  let td: TaskDefinitionInputs;
  /** The container's environment as the task definition declares it. */
  let declared: Record<string, string>;

  before(async function () {
    this.timeout(Math.max(s3ServerStartTimeoutMs, 600_000));
    await requireDockerEngine();
    [image, ep, td] = await Promise.all([taskImage(), s3Server(), programTaskDefinition()]);
    client = s3TestClient(ep);
    const container = (JSON.parse(td.containerDefinitions) as { environment: { name: string; value: string }[] }[])[0]!;
    declared = Object.fromEntries(container.environment.map((e) => [e.name, e.value]));
    emulator = await startRedshiftDataEmulator({ s3: client, workgroupName: declared.CTI_REDSHIFT_WORKGROUP!, pollsPerStatus: 0 });
  });
  after(async () => {
    await removeFargateRuns();
    await emulator?.stop();
  });

  const run = (options: Omit<FargateRunOptions, "image" | "s3" | "redshiftDataEndpoint">) =>
    runAsFargate({ image, s3: ep, redshiftDataEndpoint: emulator.endpoint, ...options });

  /** An ad-hoc run's overrides (as `aws ecs run-task --overrides`): its own bucket and table. */
  const adHoc = (bucket: string, table: string, extra: Record<string, string> = {}) => ({
    environment: Object.entries({ CTI_INPUT: `s3://${bucket}/input/`, CTI_OUTPUT: `s3://${bucket}/runs/`, CTI_TABLE: table, ...extra }).map(([name, value]) => ({ name, value })),
  });

  async function putInput(bucket: string, key: string, path: string): Promise<void> {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readFile(path) }));
  }
  async function keys(bucket: string, prefix: string): Promise<string[]> {
    const found: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
      found.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    return found;
  }
  /** Sorted `key,data` lines of the clean parts a summary lists (decompressed as their names say, not by the job), with their digest. */
  async function cleanParts(summary: Record<string, unknown>): Promise<{ count: number; digest: string }> {
    const { bucket, key } = s3Parts(String(summary.output));
    const rows: string[] = [];
    for (const p of summary.parts as { relPath: string }[]) {
      const o = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key + p.relPath }));
      const bytes = decompressPart(await o.Body!.transformToByteArray(), compressionOfPart(p.relPath));
      for (const [k, d] of (parse(bytes) as string[][]).slice(1)) rows.push(JSON.stringify([k, d]));
    }
    return digestOf(rows);
  }
  async function tableRows(table: string): Promise<{ count: number; digest: string }> {
    const r = await emulator.db.query<{ key: string; data: string }>(`SELECT key, data FROM ${table}`).catch(() => ({ rows: [] as { key: string; data: string }[] }));
    return digestOf(r.rows.map((x) => JSON.stringify([x.key, x.data])));
  }
  function digestOf(rows: string[]): { count: number; digest: string } {
    rows.sort();
    const hash = createHash("sha256");
    for (const row of rows) hash.update(row + "\n");
    return { count: rows.length, digest: hash.digest("hex") };
  }
  async function ledger(table: string): Promise<{ run_id: string; task_arn: string }[]> {
    const r = await emulator.db.query<{ run_id: string; task_arn: string }>(`SELECT * FROM ${table}_ledger`).catch(() => ({ rows: [] }));
    return r.rows;
  }

  it("a scheduled run: no arguments, only the task definition's environment, 1,000,000 rows from S3 through staging into the table", async () => {
    const { path, expected } = await cachedSample(1_000_000);
    assert.ok(expected.rowsRead >= 1_000_000);
    // The bucket the program's environment names, made here on the local S3 server.
    const input = s3Parts(declared.CTI_INPUT!);
    await client.send(new CreateBucketCommand({ Bucket: input.bucket }));
    await putInput(input.bucket, `${input.key}${basename(path)}`, path);

    const r = await run({});
    report("scheduled run, 1M rows from S3 into the emulator", r);
    assert.equal(r.exitCode, 0, r.stderr.slice(-3000));
    assert.deepEqual(r.plan.args.slice(r.plan.args.indexOf(image)), [image], "started with no arguments");
    assert.ok(r.metadataRequests >= 1, "the job read the task metadata stand-in");
    const s = r.summary!;
    assert.deepEqual(
      { rowsRead: s.rowsRead, clean: s.clean, duplicates: s.duplicates, rejected: s.rejected, rejectedByReason: s.rejectedByReason },
      { rowsRead: expected.rowsRead, clean: expected.clean, duplicates: expected.duplicates, rejected: expected.rejected, rejectedByReason: expected.rejectedByReason },
    );
    assert.equal(s.output, `${declared.CTI_OUTPUT}${s.runId}/`);
    assert.deepEqual([s.loadOutcome, s.loaded], ["loaded", expected.clean]);
    // The image's Node 24 has zstd: the parts are zstd, and the COPY says so.
    assert.ok((s.parts as { relPath: string }[]).every((p) => p.relPath.endsWith(".csv.zst")), JSON.stringify(s.parts));
    const copy = emulator.statements.list().flatMap((st) => st.sqls).find((q) => /^\s*COPY\b/i.test(q) && q.includes(String(s.output)));
    assert.match(copy ?? "", /\nZSTD\n/);
    const [parts, table] = await Promise.all([cleanParts(s), tableRows(declared.CTI_TABLE!)]);
    assert.equal(parts.count, expected.clean);
    assert.deepEqual(table, parts, "the table holds exactly the clean parts' rows");
    assert.deepEqual((await ledger(declared.CTI_TABLE!)).map((l) => [l.run_id, l.task_arn]), [[s.runId, r.taskArn]]);
  });

  it("spills the dedup to /tmp under a small memory budget: the image's VOLUME makes Fargate's scratch mount the task user's", async () => {
    const bucket = await freshBucket("fargate-spill");
    const { path, expected } = await cachedSample(200_000);
    await putInput(bucket, `input/${basename(path)}`, path);
    const table = "public.spill_records";
    const r = await run({ override: adHoc(bucket, table, { CTI_MEMORY_BUDGET_MIB: "16" }) });
    report("200k rows, CTI_MEMORY_BUDGET_MIB=16 (spills)", r);
    assert.equal(r.exitCode, 0, r.stderr.slice(-3000));
    // The scratch volume was a fresh docker volume filled from the image (its VOLUME /tmp), as
    // Fargate does; without that VOLUME it is root's 0755 directory and the spill fails (EACCES).
    assert.deepEqual(r.plan.namedVolumes.map((v) => v.containerPath), ["/tmp"]);
    assert.equal(r.scratchRoots["/tmp"]!.split(" ")[0], containerUser);
    assert.ok(r.scratchEntries["/tmp"]!.some((e) => /^cti-etl-dedup-/.test(e)), `the dedup spilled to /tmp: ${JSON.stringify(r.scratchEntries)}`);
    const s = r.summary!;
    assert.deepEqual([s.rowsRead, s.clean, s.duplicates, s.rejected], [expected.rowsRead, expected.clean, expected.duplicates, expected.rejected]);
    assert.deepEqual([s.loadOutcome, s.loaded], ["loaded", expected.clean]);
    assert.deepEqual(await tableRows(table), await cleanParts(s));
  });

  it("completes 10,000,000 rows in a container limited to 1 GiB on cgroup v1, sized by the cgroup alone (no memory limit in the task metadata)", async () => {
    const { path, expected } = await cachedSample(10_000_000);
    // The program's vCPU with 1 GiB. (Fargate pairs 1 GiB with at most 0.5 vCPU, which only
    // makes the run slower: the memory limit is what this test is about.)
    const small = { ...td, memory: "1024" };
    const out = await tempDir("cti-fargate-10m-");
    try {
      await mkdir(join(out.path, "runs"));
      // 10M rows (about 800 MB) outgrow the in-memory S3 server: the input and output are
      // bind-mounted host paths (not part of the task definition), and nothing is loaded.
      const r = await run({
        taskDefinition: small,
        metadataWithoutMemoryLimit: true,
        extraMounts: [
          { hostPath: path, containerPath: "/data/input.csv", readOnly: true },
          { hostPath: join(out.path, "runs"), containerPath: "/data/runs" },
        ],
        override: {
          environment: [{ name: "CTI_LOG_LEVEL", value: "debug" }, { name: "CTI_LOG_FORMAT", value: "json" }],
          command: ["run", "--input", "/data/input.csv", "--output", "/data/runs", "--warehouse", "none"],
        },
      });
      report("10M rows, task memory 1024 MiB (cgroup v1 only)", r);
      assert.deepEqual(r.plan.args.slice(r.plan.args.indexOf("--memory"), r.plan.args.indexOf("--memory") + 2), ["--memory", "1024m"]);
      assert.equal(r.oomKilled, false, "OOM-killed");
      assert.equal(r.exitCode, 0, r.stderr.slice(-3000));
      // The job sized its dedup for the cgroup's 1 GiB: the metadata gave no memory limit.
      const sized = r.stderr.split("\n").map((l) => (l.startsWith("{") ? JSON.parse(l) : {})).find((l) => l.msg === "run sized" || l.message === "run sized");
      assert.ok(sized, `no "run sized" line in: ${r.stderr.slice(0, 2000)}`);
      const sizing = sized.sizing as { workers: number; memoryBudgetBytes: number; memoryBudgetFrom: string };
      assert.equal(sizing.memoryBudgetBytes, Math.floor(defaultMemoryBudget(2 ** 30, sizing.workers) / MiB) * MiB);
      assert.equal(sizing.memoryBudgetFrom, "host");
      const s = r.summary!;
      assert.deepEqual([s.rowsRead, s.clean, s.duplicates, s.rejected], [expected.rowsRead, expected.clean, expected.duplicates, expected.rejected]);
      assert.ok(r.peakRssBytes !== undefined && r.peakRssBytes < 2 ** 30, `peak RSS ${r.peakRssBytes}`);
    } finally {
      await out.cleanup();
    }
  });

  /** Whether the job logged (JSON, debug) that `stage` started. */
  const stageStarted = (stderr: string, stage: string) => stderr.split("\n").some((l) => l.includes("stage started") && l.includes(`"${stage}"`));

  it("docker stop mid-transform (SIGTERM): exit 1, nothing published or loaded, the lease released; a rerun succeeds", async () => {
    const bucket = await freshBucket("fargate-stop-transform");
    const { path, expected } = await cachedSample(200_000);
    await putInput(bucket, `input/${basename(path)}`, path);
    const table = "public.stop_transform";
    let stoppedWhileRunning = false;
    const r = await run({
      // A quarter vCPU (a valid Fargate size) keeps the transform long enough to stop it midway.
      taskDefinition: { ...td, cpu: "256", memory: "2048" },
      override: adHoc(bucket, table, { CTI_LOG_LEVEL: "debug", CTI_LOG_FORMAT: "json" }),
      whileRunning: async (c) => {
        for (let i = 0; i < 600 && !stageStarted((await c.logs()).stderr, "transform"); i++) await sleep(50);
        await sleep(300);
        stoppedWhileRunning = await c.running();
        await c.stop();
      },
    });
    report("stopped mid-transform", r);
    assert.ok(stoppedWhileRunning, "the run ended before it could be stopped");
    assert.equal(r.exitCode, 1, r.stderr.slice(-3000));
    assert.match(r.stderr, /STOPPED: the task was stopped \(SIGTERM\)/);
    assert.ok(r.wallMs < r.plan.stopTimeoutSeconds * 1000, "ended on SIGTERM, before the SIGKILL");
    const written = await keys(bucket, "runs/");
    assert.deepEqual(written.filter((k) => /(summary|manifest|load)\.json$/.test(k)), [], "nothing published");
    assert.deepEqual(written.filter((k) => k.includes("_lease")), [], "the lease was released");
    assert.deepEqual(await tableRows(table), { count: 0, digest: createHash("sha256").digest("hex") });
    assert.deepEqual(await ledger(table), []);

    const rerun = await run({ override: adHoc(bucket, table) });
    assert.equal(rerun.exitCode, 0, rerun.stderr.slice(-3000));
    assert.deepEqual([rerun.summary!.loadOutcome, rerun.summary!.loaded], ["loaded", expected.clean]);
    assert.equal((await tableRows(table)).count, expected.clean);
  });

  it("docker stop mid-load (SIGTERM): the job cancels its statement, nothing is loaded, the lease released; a rerun loads once", async () => {
    const bucket = await freshBucket("fargate-stop-load");
    const { path, expected } = await cachedSample(200_000);
    await putInput(bucket, `input/${basename(path)}`, path);
    const table = "public.stop_load";
    const copies = () => emulator.statements.list().filter((st) => st.sqls.some((q) => /^\s*COPY\b/i.test(q) && q.includes(`s3://${bucket}/`)));
    // The load's COPY runs, then hangs uncommitted until cancelled: the task is stopped then.
    emulator.faults.hangWhen = (sql) => /^\s*COPY\b/i.test(sql) && sql.includes(`s3://${bucket}/`);
    let r: FargateRunResult;
    try {
      r = await run({
        override: adHoc(bucket, table),
        whileRunning: async (c) => {
          for (let i = 0; i < 1200 && !copies().some((st) => st.status === "STARTED"); i++) await sleep(50);
          assert.ok(copies().some((st) => st.status === "STARTED"), "the load never started");
          await c.stop();
        },
      });
    } finally {
      delete emulator.faults.hangWhen;
    }
    report("stopped mid-load", r);
    assert.equal(r.exitCode, 1, r.stderr.slice(-3000));
    assert.match(r.stderr, /STOPPED: the task was stopped \(SIGTERM\)/);
    assert.deepEqual(copies().map((st) => st.status), ["ABORTED"], "the job cancelled its COPY before exiting");
    const written = await keys(bucket, "runs/");
    assert.ok(written.some((k) => k.endsWith(`${r.summary?.runId ?? ""}summary.json`) || k.endsWith("summary.json")), "the transform had published");
    assert.deepEqual(written.filter((k) => k.endsWith("load.json")), [], "no load recorded");
    assert.deepEqual(written.filter((k) => k.includes("_lease")), [], "the lease was released");
    assert.equal((await tableRows(table)).count, 0);
    assert.deepEqual(await ledger(table), []);

    const rerun = await run({ override: adHoc(bucket, table) });
    assert.equal(rerun.exitCode, 0, rerun.stderr.slice(-3000));
    assert.deepEqual([rerun.summary!.loadOutcome, rerun.summary!.loaded], ["loaded", expected.clean]);
    assert.deepEqual(await tableRows(table), await cleanParts(rerun.summary!));
    assert.deepEqual((await ledger(table)).map((l) => l.run_id), [rerun.summary!.runId]);
  });
});
