/**
 * bin/cti-etl.js, the installed command, end to end under each Node it supports: the one running
 * the tests (the machines' Node 20/22) and Node 24, the image's. The same core cases as
 * test/task/main.it.test.ts and load.it.test.ts: a run of a sample into the embedded warehouse,
 * `sql` and `status` on it, bad input, `--version` and `--help`.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { CLI, node24Path, runCli } from "../support/cli.ts";
import { runCommand } from "../support/processes.ts";
import { cachedSample } from "../support/sample-files.ts";
import { tempDir } from "../support/temp-dir.ts";

const runtimes: { name: string; node: () => Promise<string>; major?: number }[] = [
  { name: `this Node (${process.versions.node})`, node: async () => process.execPath },
  { name: "Node 24 (npx node@24)", node: node24Path, major: 24 },
];

for (const runtime of runtimes) {
  describe(`cti-etl under ${runtime.name}`, function () {
    this.timeout(300_000);
    let node: string;
    let dir: Awaited<ReturnType<typeof tempDir>>;
    // Each test's own warehouse folder and outputs; no variable from the outside chooses them.
    const env = () => ({ ...process.env, CTI_WAREHOUSE: join(dir.path, "warehouse") });
    const cli = (...args: string[]) => runCli(args, { node, env: env() });

    before(async () => {
      node = await runtime.node();
      if (runtime.major !== undefined) {
        const { stdout } = await promisify(execFile)(node, ["-p", "process.versions.node"]);
        assert.equal(Number(stdout.split(".")[0]), runtime.major, `${node} is Node ${stdout.trim()}`);
      }
    });
    beforeEach(async () => (dir = await tempDir()));
    afterEach(async () => dir.cleanup());

    it("answers --version and --help (exit 0)", async () => {
      const version = await cli("--version");
      assert.deepEqual([version.code, version.stdout, version.stderr], [0, "cti-etl 0.1.0\n", ""]);
      const help = await cli("--help");
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /^Usage:/m);
      assert.match(help.stdout, /Exit codes:/);
    });

    it("runs a sample into the embedded warehouse; sql counts the loaded rows and status lists the run", async () => {
      const { path, expected } = await cachedSample(3_000, { seed: 24 });
      const run = await cli("run", "--input", path, "--output", join(dir.path, "out"), "--run-id", "first");
      assert.equal(run.code, 0, run.stderr);
      const summary = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
      assert.deepEqual(
        [summary.rowsRead, summary.clean, summary.duplicates, summary.rejected, summary.loadOutcome, summary.loaded],
        [expected.rowsRead, expected.clean, expected.duplicates, expected.rejected, "loaded", expected.clean],
      );
      const count = await cli("sql", "--json", "SELECT count(*)::int AS n, min(run_id) AS run FROM public.cti_records");
      assert.equal(count.code, 0, count.stderr);
      assert.deepEqual(JSON.parse(count.stdout), { n: expected.clean, run: "first" });
      const status = await cli("status");
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /\bfirst\b/);
    });

    it("exits 2 on bad input, naming the file, and publishes nothing", async () => {
      const missing = join(dir.path, "nope.csv");
      const run = await cli("run", "--input", missing, "--output", join(dir.path, "out"));
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /INPUT_NOT_FOUND .*nope\.csv: no such file/);
      assert.deepEqual(await readdir(join(dir.path, "out")).catch(() => []), []);
    });
  });
}

describe("bin/cti-etl.js and the AWS SDK's Node version warning", function () {
  this.timeout(60_000);
  // An S3 input loads the SDK, whose clients warn under Node < 22; nothing listens on port 1.
  const env = {
    ...process.env,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined,
    AWS_ENDPOINT_URL_S3: "http://127.0.0.1:1",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_MAX_ATTEMPTS: "1",
  };
  const args = (out: string) => ["run", "--input", "s3://no-such-bucket/input.csv", "--output", out, "--warehouse", "none"];

  it("keeps the warning off the terminal (the bundle run directly shows it under Node 20)", async () => {
    const dir = await tempDir();
    try {
      const viaBin = await runCli(args(join(dir.path, "a")), { env });
      assert.notEqual(viaBin.code, 0);
      assert.match(viaBin.stderr, /ECONNREFUSED/, "the run never reached S3, so the SDK was not exercised");
      assert.doesNotMatch(viaBin.stderr, /NodeVersionSupportWarning/);
      const direct = await runCommand(process.execPath, [join(dirname(CLI), "..", "dist", "task", "main.mjs"), ...args(join(dir.path, "b"))], { env });
      const warns = Number(process.versions.node.split(".")[0]) < 22;
      assert.equal(/NodeVersionSupportWarning/.test(direct.stderr), warns, direct.stderr);
    } finally {
      await dir.cleanup();
    }
  });
});
