import assert from "node:assert/strict";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ENVIRONMENT_KEYS } from "../../task/src/config/environment.ts";
import { INCOMPLETE_PREFIX } from "../../task/src/sinks/local-run-output.ts";
import { runCommand, spawnTracked, stop } from "../support/processes.ts";
import { cachedSample } from "../support/sample-files.ts";
import { tempDir } from "../support/temp-dir.ts";
import { CLI } from "../support/cli.ts";

/** The CLI with the load switched off: these tests are about the transform and its errors. */
const cli = (...args: string[]) => runCommand(process.execPath, [CLI, ...args], { env: { ...process.env, CTI_WAREHOUSE: "none" } });

describe("cti-etl command line", function () {
  this.timeout(60_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(async () => dir.cleanup());

  it("--help and run --help document every option and the exit codes (exit 0)", async () => {
    const main = await cli("--help");
    assert.equal(main.code, 0);
    assert.match(main.stdout, /Exit codes:[\s\S]*0\s+success[\s\S]*2\s+bad usage[\s\S]*1\s+any other failure/);
    const run = await cli("run", "--help");
    assert.equal(run.code, 0);
    for (const option of ["--input", "--output", "--max-field-bytes", "--part-size", "--compression", "--gzip-level", "--run-id", "--progress", "--no-progress", "--log-format", "--json", "--warehouse", "--table", "--workers", "--memory-budget", "--slices"]) {
      assert.ok(run.stdout.includes(option), `run --help lacks ${option}`);
    }
    for (const variable of ENVIRONMENT_KEYS) {
      assert.match(main.stdout, new RegExp(`^ +${variable} +\\S`, "m"), `--help lacks ${variable}`);
      assert.match(run.stdout, new RegExp(`^ +${variable} +\\S`, "m"), `run --help lacks ${variable}`);
    }
  });

  it("exits 2 naming the variable at fault, before anything runs; --help still answers", async () => {
    const bad = { ...process.env, CTI_WAREHOUSE: "none", CTI_LEASE_TTL_SECONDS: "1" };
    const result = await runCommand(process.execPath, [CLI, "run", "-i", dir.path, "-o", join(dir.path, "out")], { env: bad });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /USAGE: CTI_LEASE_TTL_SECONDS must be a whole number of seconds from 5 to 86400 \(was "1"\)/);
    assert.deepEqual(await readdir(join(dir.path, "out")).catch(() => []), []);
    const help = await runCommand(process.execPath, [CLI, "--help"], { env: bad });
    assert.equal(help.code, 0, help.stderr);
  });

  it("prints the summary as the last line of stdout, as JSON, and exits 0", async () => {
    const { path, expected } = await cachedSample(3_000);
    const result = await cli("run", "--input", path, "--output", dir.path, "--run-id", "ok");
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split("\n");
    const summary = JSON.parse(lines.at(-1)!);
    assert.equal(summary.runId, "ok");
    assert.deepEqual([summary.rowsRead, summary.clean, summary.duplicates, summary.rejected], [expected.rowsRead, expected.clean, expected.duplicates, expected.rejected]);
    assert.equal(summary.rowsRead, summary.clean + summary.duplicates + summary.rejected);
    // Not a terminal: stderr holds only JSON log lines (no progress, no readable summary).
    const logLines = result.stderr.trim().split("\n");
    for (const line of logLines) assert.equal(typeof JSON.parse(line).level, "string", line);
    assert.ok(logLines.some((l) => JSON.parse(l).msg === "run succeeded"));
  });

  it("shows progress on stderr when asked", async () => {
    const { path } = await cachedSample(3_000);
    const result = await cli("run", "-i", path, "-o", dir.path, "--progress");
    assert.equal(result.code, 0);
    assert.match(result.stderr, /rows\/s/);
  });

  const failures: [string, (d: string) => Promise<string[]>, RegExp][] = [
    ["a missing input file", async (d) => ["run", "-i", join(d, "nope.csv"), "-o", join(d, "out")], /INPUT_NOT_FOUND .*nope\.csv: no such file/],
    ["an unknown option", async (d) => ["run", "-i", d, "-o", d, "--colour"], /USAGE: .*colour/],
    ["a missing --output", async (d) => ["run", "-i", d], /USAGE: --output \(or CTI_OUTPUT\) is required/],
    [
      "a header without Data",
      async (d) => {
        await writeFile(join(d, "h.csv"), "\nKey,Value\na,b\n");
        return ["run", "-i", join(d, "h.csv"), "-o", join(d, "out")];
      },
      /BAD_HEADER .*h\.csv:2 field Data: header is missing `Data`: expected columns Key, Data .*found "Key", "Value"/,
    ],
    [
      "an input path that cannot be read (through a file)",
      async (d) => {
        await writeFile(join(d, "plain"), "x");
        return ["run", "-i", join(d, "plain", "in.csv"), "-o", join(d, "out")];
      },
      /INPUT_UNREADABLE .*plain\/in\.csv: cannot read/,
    ],
    [
      "an empty file",
      async (d) => {
        await writeFile(join(d, "e.csv"), "");
        return ["run", "-i", join(d, "e.csv"), "-o", join(d, "out")];
      },
      /BAD_HEADER .*e\.csv:1: input is empty/,
    ],
    [
      "a corrupt gzip file",
      async (d) => {
        await writeFile(join(d, "c.csv.gz"), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]));
        return ["run", "-i", join(d, "c.csv.gz"), "-o", join(d, "out")];
      },
      /INPUT_UNREADABLE .*c\.csv\.gz: not a readable gzip stream/,
    ],
    ...(["2", "1"] as const).map((workers): [string, (d: string) => Promise<string[]>, RegExp] => [
      `a quote left open in a 70 MB file (--workers ${workers})`,
      async (d) => {
        // Everything after line 4 would be one field: past 64 MiB the run stops instead of holding it.
        await writeFile(join(d, "open.csv"), Buffer.concat([Buffer.from('Key,Data\na,b\n"c\nd",e\nf,"open\n'), Buffer.alloc(70 << 20, "x,y\n")]));
        return ["run", "-i", join(d, "open.csv"), "-o", join(d, "out"), "--workers", workers];
      },
      /RECORD_TOO_LONG .*open\.csv:5: the record starting here runs past 67108864 bytes/,
    ]),
  ];
  for (const [what, args, message] of failures) {
    it(`exits 2 with a clear message on ${what}, publishing nothing`, async () => {
      const result = await cli(...(await args(dir.path)));
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stdout, "");
      const out = await readdir(join(dir.path, "out")).catch(() => []);
      assert.deepEqual(out, []);
    });
  }

  it("leaves no complete-looking run when killed midway", async () => {
    const { path } = await cachedSample(400_000);
    const out = join(dir.path, "out");
    await mkdir(out);
    const child = spawnTracked(process.execPath, [CLI, "run", "-i", path, "-o", out, "--run-id", "killed", "--part-size", "1", "--warehouse", "none"]);
    try {
      // Wait until the run has written parts, then kill it hard.
      for (let i = 0; i < 600; i++) {
        const entries = await readdir(out);
        const work = entries.find((e) => e.startsWith(INCOMPLETE_PREFIX));
        if (work && (await readdir(join(out, work, "clean")).catch(() => [])).length > 1) break;
        assert.equal(child.exitCode, null, "the run finished before it could be killed");
        await sleep(50);
      }
      await stop(child, "SIGKILL");
    } finally {
      await stop(child);
    }
    const entries = await readdir(out);
    assert.ok(!entries.includes("killed"), "a killed run must not be published");
    assert.ok(entries.every((e) => e.startsWith(INCOMPLETE_PREFIX)), entries.join(","));
    const rerun = await cli("run", "-i", path, "-o", out, "--run-id", "killed");
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.ok((await readdir(join(out, "killed"))).includes("summary.json"));
  });

  it("stops at its deadline during the transform: exit 1, nothing published, the work folder removed", async () => {
    const { path } = await cachedSample(400_000);
    const out = join(dir.path, "out");
    const result = await runCommand(process.execPath, [CLI, "run", "-i", path, "-o", out, "--run-id", "late"], {
      env: { ...process.env, CTI_WAREHOUSE: "none", CTI_DEADLINE_SECONDS: "1" },
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /cti-etl: DEADLINE_EXCEEDED: the run passed its deadline of 1 s/);
    assert.deepEqual(await readdir(out).catch(() => []), []);
  });
});

