/**
 * The terminal a person sees, from the real command: `bin/cti-etl.js run` under a pseudo-terminal
 * (util-linux `script`, which gives the child a real pty on stdin, stdout and stderr), and the
 * same command piped. A small generated input goes into an embedded PGlite warehouse, so the
 * load's figures can be checked against the generator's counts.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runCommand, spawnTracked, stop } from "../support/processes.ts";
import { cachedSample } from "../support/sample-files.ts";
import { tempDir } from "../support/temp-dir.ts";
import { CLI, lastJson } from "../support/cli.ts";

const SCRIPT = "/usr/bin/script";

/** `value` quoted for `sh -c`. */
const sh = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the command under a pseudo-terminal: `script -qfec "<command>" /dev/null` copies what
 * the child writes to its pty (stdout and stderr alike) to its own stdout and exits with the
 * child's code. The child (exec'd by the shell, so it is `script`'s own child) dies of SIGHUP
 * when `script` is killed and the pty closes; `script` itself is killed by PID when the test
 * ends early.
 */
async function runInPty(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string; wallMs: number }> {
  const command = `exec ${[process.execPath, CLI, ...args].map(sh).join(" ")}`;
  const started = performance.now();
  const child = spawnTracked(SCRIPT, ["-qfec", command, "/dev/null"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (output += d));
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (c) => resolve(c));
    });
    return { code, output: output.replace(/\r\n/g, "\n"), wallMs: performance.now() - started };
  } finally {
    await stop(child);
  }
}

/** The text as a person sees it: each `\r`-redrawn status line and the erase sequence removed. */
const screen = (output: string) =>
  output
    .split("\n")
    .map((line) => line.split("\r").at(-1)!.replace(/\x1b\[2K/g, ""))
    .join("\n");

/** A readable duration (`850ms`, `4.9s`, `1m 05s`) in ms. */
function durationMs(text: string): number {
  const m = /^(?:(\d+)m (\d+)s|([\d.]+)s|(\d+)ms)$/.exec(text);
  assert.ok(m, `not a duration: ${text}`);
  if (m[1] !== undefined) return (Number(m[1]) * 60 + Number(m[2])) * 1000;
  return m[3] !== undefined ? Number(m[3]) * 1000 : Number(m[4]);
}

describe("cti-etl run on a terminal and piped", function () {
  this.timeout(180_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let env: NodeJS.ProcessEnv;
  before(function () {
    if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} (util-linux) is needed to give the command a pseudo-terminal`);
  });
  beforeEach(async () => {
    dir = await tempDir("cti-tty-");
    // The environment's own CTI_* settings must not change what the command decides.
    env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("CTI_")));
  });
  afterEach(async () => dir.cleanup());

  const runArgs = (input: string, ...more: string[]) => ["run", "--input", input, "--output", join(dir.path, "runs"), "--warehouse", join(dir.path, "wh"), ...more];

  it("on a terminal: a bar per stage, one line per step, the readable summary with the load and the real duration, no JSON lines", async () => {
    const { path, expected } = await cachedSample(2_000);
    const { code, output, wallMs } = await runInPty(runArgs(path), env);
    assert.equal(code, 0, output);
    // Progress: the transform's bar and rate, drawn in place.
    assert.match(output, /\x1b\[2Ktransform {3}[█·▏▎▍▌▋▊▉]{24} +\d+\.\d% {2}[\d,]+ rows {2}[\d,]+ rows\/s {2}ETA /);
    const seen = screen(output);
    const steps = seen.split("\n").filter((l) => / \[OK in [^\]]+\]$/.test(l));
    assert.deepEqual(steps.map((l) => l.split(" ")[0]), ["transform", "warehouse", "load"], seen);
    assert.match(steps[0]!, new RegExp(`^transform {3}${expected.rowsRead.toLocaleString("en-US")} rows read: ${expected.clean.toLocaleString("en-US")} clean`));
    assert.match(steps[2]!, new RegExp(`^load {8}${expected.clean.toLocaleString("en-US")} staged, ${expected.clean.toLocaleString("en-US")} inserted into public\\.cti_records, 0 already present`));
    // The summary: the load's figures, the table and warehouse, and the command's wall time.
    const head = /^Run (\S+) succeeded in (\S+) \(transform (\S+), load (\S+)\)$/m.exec(seen);
    assert.ok(head, seen);
    const [total, transform, load] = [durationMs(head[2]!), durationMs(head[3]!), durationMs(head[4]!)];
    assert.ok(total >= transform + load, `total ${total} ms < transform ${transform} + load ${load}`);
    assert.ok(total <= wallMs, `the summary's ${total} ms is longer than the ${Math.round(wallMs)} ms the command ran`);
    assert.ok(total > 0);
    assert.match(seen, new RegExp(`\\n {2}loaded {6}${expected.clean.toLocaleString("en-US")} new rows into public\\.cti_records, 0 already present\\n`));
    assert.match(seen, new RegExp(`\\n {2}warehouse {3}embedded PGlite in ${join(dir.path, "wh").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n`));
    // Nothing for machines: no JSON line, no EMF document.
    assert.ok(!seen.split("\n").some((l) => l.trimStart().startsWith("{")), seen);
    assert.doesNotMatch(output, /_aws|CloudWatchMetrics/);
  });

  it("piped: JSON log lines (the EMF documents among them) on stderr, the JSON summary as stdout's last line", async () => {
    const { path, expected } = await cachedSample(2_000);
    const result = await runCommand(process.execPath, [CLI, ...runArgs(path)], { env });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stderr.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(lines.every((l) => typeof l.level === "string" && typeof l.time === "string" && typeof l.runId === "string"));
    assert.ok(lines.some((l) => l.msg === "run succeeded"));
    assert.ok(lines.some((l) => l.msg === "stage finished" && l.stage === "load" && typeof l.durationMs === "number"));
    assert.ok(lines.some((l) => typeof l._aws === "object" && l.RowsLoaded === expected.clean));
    const summary = lastJson(result) as Record<string, unknown>;
    assert.deepEqual([summary.rowsRead, summary.clean, summary.loaded, summary.alreadyPresent, summary.table], [expected.rowsRead, expected.clean, expected.clean, 0, "public.cti_records"]);
    assert.doesNotMatch(result.stderr + result.stdout, /\x1b\[|succeeded in/);
  });

  it("--log-format json on a terminal: JSON log lines and no progress bar", async () => {
    const { path } = await cachedSample(2_000);
    const { code, output } = await runInPty(runArgs(path, "--log-format", "json"), env);
    assert.equal(code, 0, output);
    assert.doesNotMatch(output, /\x1b\[2K|rows\/s/);
    const json = output.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(json.some((l) => l.msg === "run succeeded"));
    assert.ok(json.some((l) => typeof l._aws === "object"));
  });

  it("--json on a terminal: the JSON summary on stdout besides the progress and the readable summary", async () => {
    const { path, expected } = await cachedSample(2_000);
    const plain = await runInPty(runArgs(path, "--warehouse", "none", "--run-id", "plain"), env);
    assert.equal(plain.code, 0, plain.output);
    assert.ok(!plain.output.split("\n").some((l) => l.startsWith("{")), "without --json, a terminal gets no JSON summary");
    const { code, output } = await runInPty(runArgs(path, "--warehouse", "none", "--json"), env);
    assert.equal(code, 0, output);
    const summaries = output.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(summaries.length, 1, output);
    assert.deepEqual([summaries[0]!.rowsRead, summaries[0]!.clean], [expected.rowsRead, expected.clean]);
    assert.match(screen(output), /^Run \S+ succeeded in \S+ \(transform \S+\)\n {2}read/m);
    assert.match(screen(output), /\n {2}loaded {6}not loaded: no warehouse \(--warehouse none\)\n/);
  });
});
