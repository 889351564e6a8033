import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { LOCK_TIMING } from "../../task/src/load/warehouse-lock-decision.ts";
import { finished, runCommand, spawnTracked, stop, type CommandResult } from "../support/processes.ts";
import { tempDir } from "../support/temp-dir.ts";
import { startLockHolder } from "./load/support/lock-holder-process.ts";
import { CLI, lastJson } from "../support/cli.ts";

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCommand(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });

/**
 * Input `n`: `rows` rows of its own (padded and mixed case, so normalised), 50 rows every input
 * shares, a duplicate and a rejected row; with the clean rows the job must keep, normalised.
 */
async function writeInput(dir: string, n: number, rows = 200): Promise<{ path: string; clean: string[] }> {
  const own = Array.from({ length: rows }, (_, j) => [`  Run${n}-Key${j} `, `Value ${j}`]);
  const shared = Array.from({ length: 50 }, (_, j) => [`Shared${j}`, "S"]);
  const lines = ["Key,Data", ...[...own, ...shared, own[0]!, ["", "no key"]].map(([k, d]) => `${k},${d}`)];
  const path = join(dir, `in-${n}.csv`);
  await writeFile(path, lines.join("\n") + "\n");
  return { path, clean: [...own, ...shared].map(([k, d]) => `${k!.trim().toLowerCase()}|${d!.trim().toLowerCase()}`) };
}

/** The warehouse table's rows as `key|data`, sorted, read through `cti-etl sql`. */
async function tableRows(warehouse: string): Promise<string[]> {
  const result = await cli(["sql", "--warehouse", warehouse, "--json", "SELECT key, data FROM public.cti_records"]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const row = JSON.parse(line) as { key: string; data: string };
      return `${row.key}|${row.data}`;
    })
    .sort();
}

/** Starts `cti-etl run` for each input at once; resolves with each one's pid and result. */
async function runTogether(inputs: string[], warehouse: string, out: string, extra: string[]): Promise<{ pid: number; runId: string; result: CommandResult }[]> {
  return Promise.all(
    inputs.map(async (input, i) => {
      const runId = `together-${i}`;
      const child = spawnTracked(process.execPath, [CLI, "run", "-i", input, "-o", out, "--warehouse", warehouse, "--run-id", runId, ...extra]);
      return { pid: child.pid!, runId, result: await finished(child) };
    }),
  );
}

describe("cti-etl on one embedded warehouse from several processes", function () {
  this.timeout(180_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let warehouse: string;
  const holders: ChildProcess[] = [];
  beforeEach(async () => {
    dir = await tempDir();
    warehouse = join(dir.path, "wh");
  });
  afterEach(async () => {
    for (const child of holders.splice(0)) await stop(child);
    await dir.cleanup();
  });

  /**
   * Every run loaded or exited 2 naming another of them as the holder; the table is the union of
   * the loaded runs' clean rows; the folder opens cleanly afterwards. Returns the loaded run ids.
   */
  async function checkTogether(runs: Awaited<ReturnType<typeof runTogether>>, inputs: { clean: string[] }[]): Promise<string[]> {
    const loaded: number[] = [];
    for (const [i, { result, runId }] of runs.entries()) {
      assert.ok(!/INTERNAL/.test(result.stderr), `${runId}: ${result.stderr}`);
      if (result.code === 0) {
        const summary = lastJson(result);
        assert.equal(summary.runId, runId);
        loaded.push(i);
        continue;
      }
      assert.equal(result.code, 2, `${runId} exited ${result.code}: ${result.stderr}`);
      const others = runs.filter((_, j) => j !== i);
      const named = others.some(({ pid, runId: other }) => new RegExp(`WAREHOUSE_LOCKED .*held by pid ${pid} on \\S+, run ${other} \\(cti-etl run\\), since \\d{4}-`).test(result.stderr));
      assert.ok(named, `${runId} does not name another run as the holder: ${result.stderr}`);
    }
    assert.ok(loaded.length >= 1, "at least one run loads");
    const expected = [...new Set(loaded.flatMap((i) => inputs[i]!.clean))].sort();
    assert.deepEqual(await tableRows(warehouse), expected);
    const status = await cli(["status", "--warehouse", warehouse]);
    assert.equal(status.code, 0, status.stderr);
    for (const i of loaded) assert.ok(status.stdout.includes(runs[i]!.runId), `status lacks ${runs[i]!.runId}`);
    assert.deepEqual((await readdir(dir.path)).filter((name) => name.startsWith("wh.")), [], "no lock folder is left behind");
    return loaded.map((i) => runs[i]!.runId);
  }

  it("four runs started together each load or exit 2 naming the holder, and the table is the union of the loaded inputs", async () => {
    const inputs = await Promise.all([0, 1, 2, 3].map((n) => writeInput(dir.path, n)));
    const runs = await runTogether(inputs.map((i) => i.path), warehouse, join(dir.path, "out"), []);
    const loaded = await checkTogether(runs, inputs);
    // The default wait (60 s) outlasts three loads of a few hundred rows: all four load, in turn.
    assert.equal(loaded.length, 4, runs.map((r) => r.result.stderr).join("\n"));
  });

  it("with --lock-wait 0, the runs that find the warehouse held exit 2 at once naming the holder", async () => {
    const inputs = await Promise.all([0, 1, 2, 3].map((n) => writeInput(dir.path, n)));
    const runs = await runTogether(inputs.map((i) => i.path), warehouse, join(dir.path, "out"), ["--lock-wait", "0"]);
    await checkTogether(runs, inputs);
  });

  it("run, sql and status wait up to the bound for a live holder, saying who, then exit 2 naming it", async () => {
    const { child, holder } = await startLockHolder(warehouse, "holding");
    holders.push(child);
    const input = await writeInput(dir.path, 0);
    const named = new RegExp(`held by pid ${holder.pid} on \\S+, run holding \\(cti-etl run\\), since ${holder.since.replace(/[.]/g, "\\.")}`);
    const commands: [string, string[], NodeJS.ProcessEnv][] = [
      ["run", ["run", "-i", input.path, "-o", join(dir.path, "out"), "--warehouse", warehouse, "--lock-wait", "1"], {}],
      ["sql", ["sql", "--warehouse", warehouse, "--lock-wait", "1", "SELECT 1"], {}],
      ["status", ["status", "--warehouse", warehouse], { CTI_WAREHOUSE_LOCK_WAIT_SECONDS: "1" }],
    ];
    for (const [name, args, env] of commands) {
      const started = Date.now();
      const result = await cli(args, env);
      assert.equal(result.code, 2, `${name}: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`waiting up to 1 s for the warehouse lock on ${warehouse}, ${named.source}`), name);
      assert.match(result.stderr, new RegExp(`cti-etl: WAREHOUSE_LOCKED ${warehouse}: the warehouse ${warehouse} is in use: the lock is ${named.source}.*waited 1 s`), name);
      assert.ok(!/INTERNAL/.test(result.stderr), result.stderr);
      assert.ok(Date.now() - started < 20_000);
      if (name === "run") {
        // The run tried the lock while it transformed, without waiting; the wait starts after.
        const transformed = result.stderr.indexOf('"stage":"transform"');
        assert.ok(transformed >= 0 && transformed < result.stderr.indexOf("waiting up to 1 s"), result.stderr);
      }
    }
  });

  it("a run killed with SIGKILL while holding the lock blocks the next run only until its lock goes stale, and leaves a folder that opens", async () => {
    // Large enough that the killed run is still opening PGlite or loading when it is killed.
    const big = await writeInput(dir.path, 9, 200_000);
    const killedRun = spawnTracked(process.execPath, [CLI, "run", "-i", big.path, "-o", join(dir.path, "out"), "--warehouse", warehouse, "--run-id", "killed"]);
    holders.push(killedRun);
    const lockHolder = join(`${warehouse}.lock`, "holder.json");
    while (!existsSync(lockHolder)) {
      assert.equal(killedRun.exitCode, null, "the run ended before it took the lock");
      await sleep(20);
    }
    assert.equal(killedRun.exitCode, null, "the run still holds the lock when it is killed");
    await stop(killedRun, "SIGKILL");
    const killed = Date.now();
    const small = await writeInput(dir.path, 1);
    const result = await cli(["run", "-i", small.path, "-o", join(dir.path, "out"), "--warehouse", warehouse, "--run-id", "after-kill", "--lock-wait", "30"]);
    const took = Date.now() - killed;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`waiting up to 30 s for the warehouse lock on ${warehouse}, held by pid ${killedRun.pid} on \\S+, run killed`));
    // Stale LOCK_TIMING.staleMs after the kill at most; the next run's own start, transform and load besides.
    assert.ok(took < LOCK_TIMING.staleMs + 20_000, `the next run took ${took} ms`);
    // The killed run's load is all or nothing: the table holds the next run's rows, with or without all of its.
    const rows = await tableRows(warehouse);
    const alone = [...small.clean].sort();
    const both = [...new Set([...small.clean, ...big.clean])].sort();
    assert.deepEqual(rows, rows.length === alone.length ? alone : both);
  });

  it("a run that fails in its transform releases the lock it took while transforming, and leaves the folder as it was", async () => {
    const first = await writeInput(dir.path, 0);
    assert.equal((await cli(["run", "-i", first.path, "-o", join(dir.path, "out"), "--warehouse", warehouse])).code, 0);
    const bad = join(dir.path, "bad.csv");
    await writeFile(bad, "Id,Value\n1,2\n");
    const failed = await cli(["run", "-i", bad, "-o", join(dir.path, "out"), "--warehouse", warehouse]);
    assert.equal(failed.code, 2, failed.stderr);
    assert.match(failed.stderr, /cti-etl: BAD_HEADER/);
    assert.deepEqual((await readdir(dir.path)).filter((name) => name.startsWith("wh.")), [], "no lock folder is left behind");
    const next = await cli(["sql", "--warehouse", warehouse, "--lock-wait", "0", "SELECT count(*) AS n FROM public.cti_records"]);
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(await tableRows(warehouse), [...first.clean].sort());
  });

  it("documents --lock-wait and its exit code in --help", async () => {
    const main = await cli(["--help"]);
    assert.match(main.stdout, /2 +bad usage(.*\n){1,3}.*WAREHOUSE_LOCKED/);
    assert.match(main.stdout, /CTI_WAREHOUSE_LOCK_WAIT_SECONDS +default of --lock-wait/);
    for (const command of ["run", "sql", "status"]) assert.match((await cli([command, "--help"])).stdout, /--lock-wait/, command);
    const bad = await cli(["sql", "--lock-wait", "soon", "SELECT 1"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /USAGE: --lock-wait must be a whole number of seconds from 0 to 86400 \(was "soon"\)/);
  });
});
