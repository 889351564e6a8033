/**
 * The task image itself: built from task/Dockerfile by a Docker engine (legacy builder, stand-in
 * base images; test/support/docker/task-image.ts) and run the way the task runs it: as the task
 * definition's user, read-only root file system, no network, the input bind-mounted read-only.
 * What ships is what is tested: no bundle of the test's own stands in for the image.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmod, chown, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { containerUser, scratchMount } from "../../infra/task-definition.ts";
import { docker, DockerCommandError, removeContainer, removeVolume, requireDockerEngine, uniqueName } from "../support/docker/engine.ts";
import { npmExtraCaCerts, taskImage } from "../support/docker/task-image.ts";
import { parse } from "csv-parse/sync";
import { cachedSample } from "../support/sample-files.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const samplePath = join(root, "task/sample/sample.csv");
const [uid, gid] = containerUser.split(":").map(Number) as [number, number];

/** What a container printed and how it ended. */
interface ContainerRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The run summary the job prints on stdout (its last JSON line). */
function summaryOf(stdout: string): Record<string, unknown> {
  const line = stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop();
  assert.ok(line, `no summary on stdout: ${stdout}`);
  return JSON.parse(line) as Record<string, unknown>;
}

/** The counts of a summary, in the shape of a sample's `.expected.json`. */
function countsOf(summary: Record<string, unknown>) {
  const { rowsRead, clean, duplicates, rejected, rejectedByReason } = summary;
  return { rowsRead, clean, duplicates, rejected, rejectedByReason };
}

describe("task image (task/Dockerfile)", function () {
  let image: string;
  const containers: string[] = [];
  const volumes: string[] = [];
  const dirs: string[] = [];

  before(async function () {
    // The first build on a machine makes the stand-in base images and runs `npm ci`.
    this.timeout(15 * 60_000);
    await requireDockerEngine();
    image = await taskImage();
  });

  afterEach(async () => {
    for (const id of containers.splice(0)) await removeContainer(id);
    for (const name of volumes.splice(0)) await removeVolume(name);
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  /**
   * Runs the image to completion: `docker create` (named, tracked by id for afterEach), then
   * `docker start --attach`. `options` go before the image, `args` after it (the job's arguments).
   */
  async function runImage(options: readonly string[], args: readonly string[]): Promise<ContainerRun> {
    const { stdout: created } = await docker(["create", "--name", uniqueName("cti-etl-image"), ...options, image, ...args]);
    const id = created.trim();
    containers.push(id);
    let out: { stdout: string; stderr: string };
    try {
      out = await docker(["start", "--attach", id]);
    } catch (error) {
      if (!(error instanceof DockerCommandError)) throw error;
      out = { stdout: error.stdout, stderr: error.stderr };
    }
    const { stdout: code } = await docker(["inspect", "--format", "{{.State.ExitCode}}", id]);
    return { exitCode: Number(code.trim()), ...out };
  }

  /** A host folder the task's user may write, for the job's output. */
  async function outputDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "cti-etl-image-out-"));
    dirs.push(dir);
    await chown(dir, uid, gid);
    return dir;
  }

  /** The task definition's way of running: its user, read-only root, no network. */
  const asTheTask = ["--network", "none", "--read-only", "--user", containerUser];

  it("prints its usage and exits 0", async () => {
    const run = await runImage(["--network", "none"], ["--help"]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /Usage:/);
    assert.match(run.stdout, /cti-etl run --input/);
  });

  it("reports the package's version", async () => {
    const { version } = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string };
    const run = await runImage(["--network", "none"], ["--version"]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^cti-etl ${version.replace(/\./g, "\\.")}\\b`));
  });

  it("runs the default (parallel) path on the committed sample and finds the expected counts", async () => {
    const expected = JSON.parse(await readFile(`${samplePath}.expected.json`, "utf8")) as Record<string, unknown>;
    const out = await outputDir();
    const run = await runImage(
      [...asTheTask, "-v", `${samplePath}:/input/sample.csv:ro`, "-v", `${out}:/output`],
      ["run", "--input", "/input/sample.csv", "--output", "/output", "--warehouse", "none"],
    );
    assert.equal(run.exitCode, 0, run.stderr);
    const summary = summaryOf(run.stdout);
    assert.equal(summary.status, "succeeded");
    assert.deepEqual(countsOf(summary), expected);
    // The image's Node 24 has zstd: its parts are zstd by default, which the zstd command reads whole.
    const parts = summary.parts as { relPath: string; rows: number }[];
    assert.ok(parts.length > 0 && parts.every((p) => p.relPath.endsWith(".csv.zst")), JSON.stringify(parts));
    let rows = 0;
    for (const p of parts) {
      const text = execFileSync("zstd", ["-d", "-c", "-q", join(out, String(summary.runId), p.relPath)], { maxBuffer: 1 << 28 }).toString("utf8");
      assert.ok(text.startsWith("key,data\n"), p.relPath);
      rows += (parse(text) as unknown[]).length - 1;
    }
    assert.equal(rows, expected.clean);
  });

  it("runs ad hoc into the embedded warehouse in a mounted folder, and `sql` reads the rows back", async () => {
    const expected = JSON.parse(await readFile(`${samplePath}.expected.json`, "utf8")) as { clean: number };
    const work = await outputDir();
    const mounted = ["--network", "none", "--read-only", "--user", containerUser, "-v", `${samplePath}:/input/sample.csv:ro`, "-v", `${work}:/work`, "-w", "/work"];
    const run = await runImage(mounted, ["run", "--input", "/input/sample.csv", "--output", "/work/runs"]);
    assert.equal(run.exitCode, 0, run.stderr);
    const summary = summaryOf(run.stdout);
    assert.equal(summary.loaded, expected.clean);
    // Loaded from zstd parts (the image's default), read frame by frame by the embedded load.
    assert.ok((summary.parts as { relPath: string }[]).every((p) => p.relPath.endsWith(".csv.zst")));
    const query = await runImage(mounted, ["sql", "--json", "SELECT count(*)::int AS n FROM public.cti_records"]);
    assert.equal(query.exitCode, 0, query.stderr);
    assert.deepEqual(JSON.parse(query.stdout.trim()), { n: expected.clean });
  });

  describe("its scratch volume (/tmp)", () => {
    // 300,000 rows hold more than 16 MiB of distinct lines: with --memory-budget 16 (the
    // least the job takes) the dedup spills to /tmp (task/src/dedup/spilling-dedup.ts).
    const spillRows = 300_000;
    const spillArgs = (out: string, input: string) => ({
      options: [...asTheTask, "-v", `${input}:/input/rows.csv:ro`, "-v", `${out}:/output`],
      args: ["run", "--input", "/input/rows.csv", "--output", "/output", "--warehouse", "none", "--memory-budget", "16"],
    });

    it("is declared by the image, owned by the task's user, mode 1777", async () => {
      const { stdout } = await docker(["image", "inspect", "--format", "{{json .Config.Volumes}}", image]);
      assert.deepEqual(Object.keys(JSON.parse(stdout) as object), [scratchMount.containerPath]);
      const run = await runImage(
        [...asTheTask, "--entrypoint", "/nodejs/bin/node"],
        ["-e", `const s = require("fs").statSync(${JSON.stringify(scratchMount.containerPath)}); console.log(s.uid, s.gid, (s.mode & 0o7777).toString(8))`],
      );
      assert.equal(run.exitCode, 0, run.stderr);
      assert.equal(run.stdout.trim(), `${uid} ${gid} 1777`);
    });

    it("cannot be a root-owned 0755 mount: the first spill fails with EACCES (Fargate's bind mount without VOLUME)", async () => {
      const { path } = await cachedSample(spillRows);
      const scratch = await mkdtemp(join(tmpdir(), "cti-etl-image-roottmp-"));
      dirs.push(scratch);
      await chown(scratch, 0, 0);
      await chmod(scratch, 0o755);
      const { options, args } = spillArgs(await outputDir(), path);
      const run = await runImage([...options, "-v", `${scratch}:${scratchMount.containerPath}`], args);
      assert.notEqual(run.exitCode, 0);
      assert.match(run.stderr, /EACCES: permission denied, mkdtemp '\/tmp\/cti-etl-dedup-/);
    });

    it("spills into a fresh volume at /tmp, which starts with the image's ownership and mode (Fargate's bind mount with VOLUME)", async () => {
      const { path, expected } = await cachedSample(spillRows);
      const volume = uniqueName("cti-etl-image-scratch");
      await docker(["volume", "create", volume]);
      volumes.push(volume);
      const { options, args } = spillArgs(await outputDir(), path);
      const run = await runImage([...options, "-v", `${volume}:${scratchMount.containerPath}`], args);
      assert.equal(run.exitCode, 0, run.stderr);
      assert.deepEqual(countsOf(summaryOf(run.stdout)), expected);
    });
  });

  it("holds no npm, no shell and no trace of the build's CA certificates", async () => {
    const run = await runImage(
      ["--network", "none", "--entrypoint", "/nodejs/bin/node"],
      ["-e", 'const fs = require("fs"); console.log(JSON.stringify(["/usr/local/bin/npm", "/usr/local/lib/node_modules", "/nodejs/bin/npm", "/nodejs/lib/node_modules/npm", "/bin/sh", "/usr/bin/apt-get", "/usr/bin/dpkg"].filter((p) => fs.existsSync(p))))'],
    );
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout) as string[], []);
    const { stdout: history } = await docker(["history", "--no-trunc", "--format", "{{.CreatedBy}}", image]);
    const { stdout: config } = await docker(["image", "inspect", image]);
    const certificateLines = (await npmExtraCaCerts()).split("\n").filter((l) => l.length > 40);
    for (const text of [history, config]) {
      assert.doesNotMatch(text, /NPM_EXTRA_CA_CERTS|NODE_EXTRA_CA_CERTS|BEGIN CERTIFICATE|npm ci/);
      for (const line of certificateLines) assert.ok(!text.includes(line), "a CA certificate line is in the runtime image's metadata");
    }
  });

  it("runs as the task definition's user", async () => {
    const { stdout } = await docker(["image", "inspect", "--format", "{{.Config.User}}", image]);
    assert.equal(stdout.trim(), containerUser);
    const run = await runImage(["--network", "none", "--entrypoint", "/nodejs/bin/node"], ["-e", "console.log(`${process.getuid()}:${process.getgid()}`)"]);
    assert.equal(run.stdout.trim(), containerUser);
  });
});
