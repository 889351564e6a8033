/**
 * `npm run bench`: what ships, timed side by side. Sections (all by default; `--sections` picks):
 * - `startup`: `cti-etl --version` (and `--help`) as installed against `node -e 0`, median of 10;
 * - `peers`: the `cti-etl` command as installed (`node bin/cti-etl.js run --input <rows> --output
 *   <dir> --warehouse none`, gzip parts) against nodejs-polars (writing gzip) and DuckDB on the same
 *   transform, on generated inputs (cached under .cache/bench/data), each program a child process
 *   of its own, taking turns round after round; every program's counts are checked against the
 *   generator's; median wall time, peak RSS, throughput and the job's ratio to each peer;
 * - `load`: the default run (transform, then the embedded PGlite load) of 1M new rows against the
 *   transform-only run, into an empty warehouse and into one holding 10M rows;
 * - `container`: the image (task/Dockerfile) under the task definition's default limits
 *   (infra/config.ts) at each size, and the largest size under a 1 GiB limit, with peak memory;
 *   then the smallest size with the image's default codec and with none, and the floor of that
 *   work in the same limits (codec-floor.ts: reading the input, zstd -3 of the clean rows);
 *   needs a Docker engine (scripts/docker/engine.sh starts one).
 * Then the issue's goals, each figure against its target. Timings are printed, never asserted.
 *
 *   npm run bench -- [--sections startup,peers,load,container] [--sizes 1000000,10000000]
 *                    [--rounds 3] [--kinds gzip,csv] [--programs job,polars,duckdb]
 *                    [--memory-limit-mib N] [--load-rows 1000000] [--history-rows 10000000]
 *                    [--container-memory-mib 1024]
 *
 * Output kinds: `gzip` is gzip level 6 for the job and Polars (through Node's zlib), DuckDB's own
 * gzip; `csv` is uncompressed (the job's `--gzip-level 0`: the rows stored in gzip framing, which
 * the warehouse loader reads; the peers write plain CSV). `--memory-limit-mib` gives the job on the
 * host the memory budget it would size itself in a container of that limit (`--memory-budget`);
 * by default it sizes itself from this machine, as a user's run does.
 */
import { mkdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { sizeRun } from "../task/src/config/sizing.ts";
import { readHostResources } from "../task/src/config/host-resources.ts";
import { benchInput } from "./bench-data.ts";
import { buildPrograms, DIST, type ProgramCommand } from "./build-programs.ts";
import { measureCodecFloor, type CodecFloor } from "./codec-floor.ts";
import { defaultTaskLimits, runImage, type ContainerRun } from "./container.ts";
import { formatGoals, type Goal } from "./goals.ts";
import { loadCostRatios, measureLoadCost, type LoadCostFigures, type LoadCostRatios } from "./load-cost.ts";
import { countMismatch, measure } from "./measure.ts";
import type { OutputKind } from "./peers/transform-spec.ts";
import { formatResults, median, medianPaired, type ResultRow } from "./results-table.ts";
import { measureSchemaCost } from "./schema-cost.ts";
import { measureStartup, type StartupFigures } from "./startup.ts";

const { values } = parseArgs({
  options: {
    sections: { type: "string", default: "startup,peers,load,container" },
    sizes: { type: "string", default: "1000000,10000000" },
    rounds: { type: "string", default: "3" },
    kinds: { type: "string", default: "gzip" },
    programs: { type: "string", default: "job,polars,duckdb" },
    "memory-limit-mib": { type: "string" },
    "load-rows": { type: "string", default: "1000000" },
    "history-rows": { type: "string", default: "10000000" },
    "container-memory-mib": { type: "string", default: "1024" },
  },
});
const sections = new Set(values.sections.split(","));
const sizes = values.sizes.split(",").map(Number);
const rounds = Number(values.rounds);
const kinds = values.kinds.split(",") as OutputKind[];
let programs = values.programs.split(",");
const log = (line: string) => process.stderr.write(`${line}\n`);
const print = (text: string) => process.stdout.write(text);

/** nodejs-polars' native binding is not installed by `npm ci` from the lockfile on every platform. */
async function polarsLoads(): Promise<boolean> {
  // A specifier in a variable: the peer is optional, installed by `npm run bench` only, so
  // `npm run typecheck` (tsconfig.json) must not need its types; tsconfig.bench.json checks it.
  const peer = "nodejs-polars";
  try {
    // Resolved from where the peer's bundle resolves it (its folder), not from this file.
    await import(pathToFileURL(createRequire(`${DIST}polars.mjs`).resolve(peer)).href);
    return true;
  } catch (error) {
    log(`nodejs-polars cannot load its native binding (${(error as Error).message.split("\n")[0]}).`);
    log("Fix: npm i --no-save nodejs-polars-linux-x64-gnu@0.26.1   (Polars is left out of this run)");
    return false;
  }
}

/** `--memory-budget` as the job would size itself in a container limited to `limitMiB`. */
async function budgetArgs(limitMiB: string | undefined): Promise<string[]> {
  if (limitMiB === undefined) return [];
  const { memoryBudgetBytes } = sizeRun({}, { memoryLimitMiB: Number(limitMiB) }, await readHostResources());
  return ["--memory-budget", String(Math.floor(memoryBudgetBytes / 2 ** 20))];
}

if (sections.has("peers") && programs.includes("polars") && !(await polarsLoads())) programs = programs.filter((p) => p !== "polars");
const built = await buildPrograms(await budgetArgs(values["memory-limit-mib"]));
const commandOf: Record<string, ProgramCommand> = { job: built.job, polars: built.polars, duckdb: built.duckdb };
const outRoot = join(DIST, "..", "out");
const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${availableParallelism()} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;
log(`machine: ${machine}; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
print(`Machine: ${machine}.\n`);

let startup: StartupFigures | undefined;
if (sections.has("startup")) {
  startup = measureStartup(10);
  print(
    `\nStart-up (median of ${startup.runs}, taking turns): node -e 0 ${startup.nodeMs.toFixed(0)} ms, ` +
      `cti-etl --version ${startup.versionMs.toFixed(0)} ms (${(startup.versionMs / startup.nodeMs).toFixed(2)}×), ` +
      `cti-etl --help ${startup.helpMs.toFixed(0)} ms (${(startup.helpMs / startup.nodeMs).toFixed(2)}×).\n`,
  );
}

const results: ResultRow[] = [];
if (sections.has("peers")) {
  for (const rows of sizes) {
    const input = await benchInput(rows, log);
    for (const kind of kinds) {
      const row = (program: string) => {
        let r = results.find((x) => x.size === label(rows) && x.kind === kind && x.program === program);
        if (!r) results.push((r = { size: label(rows), kind, program, wallMs: [], peakRssBytes: [], rows, inputBytes: input.bytes }));
        return r;
      };
      for (let round = 0; round < rounds; round++) {
        // Take turns, starting with a different program each round.
        const order = programs.map((_, i) => programs[(i + round) % programs.length]!);
        for (const program of order) {
          const outDir = join(outRoot, `${program}-${kind}`);
          await rm(outDir, { recursive: true, force: true });
          await mkdir(outDir, { recursive: true });
          const m = await measure(commandOf[program]!(input.path, outDir, kind), process.env);
          await rm(outDir, { recursive: true, force: true });
          const mismatch = countMismatch(m.report, input.expected);
          if (mismatch) throw new Error(`${program} miscounted ${label(rows)} (${kind}): ${mismatch}`);
          row(program).wallMs.push(m.wallMs);
          row(program).peakRssBytes.push(m.peakRssBytes);
          log(`${label(rows)} ${kind} round ${round + 1}/${rounds} ${program}: ${(m.wallMs / 1000).toFixed(2)} s, ${Math.round(m.peakRssBytes / 2 ** 20)} MiB (load ${loadavg()[0]!.toFixed(2)})`);
        }
      }
    }
  }
  const codec = built.jobHasCompressionFlag ? "--compression gzip" : "gzip, the only codec";
  print(`\nThe job as installed: node bin/cti-etl.js run --input <rows> --output <dir> --warehouse none (${codec}); sized as it sizes itself${values["memory-limit-mib"] ? ` in a ${values["memory-limit-mib"]} MiB container` : " on this machine"}.\n`);
  print(`Inputs: ${sizes.map((s) => `${label(s)} rows`).join(", ")}, generated (seed 42); every program's counts match the generator's. ${rounds} rounds, median; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(" ")}.\n\n`);
  print(formatResults(results) + "\n");
  // The arktype rules judge every row; what that costs, against the same conditions by hand.
  const cost = measureSchemaCost();
  const perMillionMs = cost.arktypeNsPerRow; // ns a row × 1e6 rows / 1e6 ns a ms
  const job1m = results.find((r) => r.program === "job" && r.rows === 1e6 && r.kind === kinds[0]);
  const share = job1m ? `, ${((100 * perMillionMs) / median(job1m.wallMs)).toFixed(1)}% of the job's 1M ${job1m.kind} median wall` : "";
  print(
    `\nArktype on the hot path: ${cost.arktypeNsPerRow.toFixed(1)} ns a row (the same rules by hand: ${cost.handNsPerRow.toFixed(1)} ns), ` +
      `${perMillionMs.toFixed(0)} ms per 1M rows on one thread${share}.\n`,
  );
}

let loadCost: LoadCostFigures | undefined;
let loadRatios: LoadCostRatios | undefined;
if (sections.has("load")) {
  loadCost = await measureLoadCost({ rows: Number(values["load-rows"]), historyRows: Number(values["history-rows"]), rounds, log });
  loadRatios = loadCostRatios(loadCost);
  const r = loadRatios;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  print(
    `\nThe embedded load (${label(loadCost.rows)} new rows, default codec, ${rounds} rounds, median; ratios and load times compared round by round): ` +
      `transform only ${s(median(loadCost.transformOnlyMs))}; default run into an empty warehouse ${s(median(loadCost.emptyMs))} (${r.empty.toFixed(2)}×, load ${s(r.emptyLoadMs)}, ${loadCost.loadedEmpty} rows), ` +
      `into one holding ${label(loadCost.historyRows)} rows ${s(median(loadCost.historyMs))} (${r.history.toFixed(2)}×, load ${s(r.historyLoadMs)}, ${loadCost.loadedHistory} rows); ` +
      `into a new folder (the database created by the run) ${s(median(loadCost.newFolderMs))} (${r.newFolder.toFixed(2)}×).\n`,
  );
}

const containerRuns: ContainerRun[] = [];
const codecRuns: Record<"default" | "none", ContainerRun[]> = { default: [], none: [] };
let floor: CodecFloor | undefined;
if (sections.has("container")) {
  const limits = defaultTaskLimits();
  for (const rows of sizes) containerRuns.push(await runImage(await benchInput(rows, log), limits, "gzip", log));
  const largest = Math.max(...sizes);
  containerRuns.push(await runImage(await benchInput(largest, log), { ...limits, memoryMiB: Number(values["container-memory-mib"]) }, "gzip", log));
  // The image's default codec against its floor, on the smallest size: the runs with it and with
  // no compression, taking turns, then the floor of the same work in the same limits.
  const smallest = await benchInput(Math.min(...sizes), log);
  for (let round = 0; round < rounds; round++) {
    for (const codec of round % 2 === 0 ? (["default", "none"] as const) : (["none", "default"] as const)) codecRuns[codec].push(await runImage(smallest, limits, codec, log));
  }
  floor = await measureCodecFloor(smallest, limits);
  print(`\nThe image (docker run --network none --cpus --memory, input mounted read-only; the task definition's defaults are ${limits.cpus} vCPU, ${limits.memoryMiB} MiB):\n\n`);
  print("| rows | CPUs | memory limit | wall | peak RSS | cgroup peak (page cache included) |\n| --- | --- | --- | --- | --- | --- |\n");
  for (const r of containerRuns) {
    const cg = r.cgroupPeakBytes === undefined ? "n/a" : `${Math.round(r.cgroupPeakBytes / 2 ** 20)} MiB`;
    print(`| ${label(r.rows)} | ${r.cpus} | ${r.memoryMiB} MiB | ${(r.wallMs / 1000).toFixed(2)} s | ${Math.round(r.peakRssBytes / 2 ** 20)} MiB | ${cg} |\n`);
  }
  const d = median(codecRuns.default.map((r) => r.wallMs));
  const n = median(codecRuns.none.map((r) => r.wallMs));
  print(
    `\nThe image's default codec (zstd level 3 under its Node 24), ${label(smallest.rows)} rows, ${limits.cpus} vCPU, ${rounds} rounds, median: ${(d / 1000).toFixed(2)} s; ` +
      `with --compression none ${(n / 1000).toFixed(2)} s; compressing costs the run ${(codecCostMs()! / 1000).toFixed(2)} s (the median of each round's difference). ` +
      `Floor in the same limits: reading the input ${(floor.readMs / 1000).toFixed(2)} s, zstd -3 of the ${(floor.cleanBytes / 1e6).toFixed(1)} MB of clean rows in 1 MiB blocks ` +
      `${(floor.compressMs / 1000).toFixed(2)} s (${(floor.compressedBytes / 1e6).toFixed(1)} MB), both at once ${(floor.bothMs / 1000).toFixed(2)} s.\n`,
  );
}

/** What compressing costs the image's run: each round's default-codec run less its uncompressed run, the median. */
function codecCostMs(): number | undefined {
  return codecRuns.default.length ? medianPaired(codecRuns.default.map((r) => r.wallMs), codecRuns.none.map((r) => r.wallMs), (d, n) => d - n) : undefined;
}

const ratio = (size: string, program: string) => {
  const job = results.find((r) => r.program === "job" && r.size === size && r.kind === "gzip");
  const peer = results.find((r) => r.program === program && r.size === size && r.kind === "gzip");
  return job && peer ? median(job.wallMs) / median(peer.wallMs) : undefined;
};
const limited = containerRuns.at(-1);
const goals: Goal[] = [
  { what: "`cti-etl --version` / `node -e 0`", value: startup && startup.versionMs / startup.nodeMs, target: 3, unit: "×" },
  { what: "1M rows, gzip: job / Polars", value: ratio("1M", "polars"), target: 0.7, unit: "×" },
  { what: "10M rows, gzip: job / DuckDB", value: ratio("10M", "duckdb"), target: 0.5, unit: "×" },
  {
    what: `image, ${limited ? label(limited.rows) : "10M"} rows, ${values["container-memory-mib"]} MiB limit: peak RSS (MiB)`,
    value: limited && limited.peakRssBytes / 2 ** 20,
    target: Number(values["container-memory-mib"]),
    unit: " MiB",
  },
  {
    what: "image, default codec: compression's cost in the run / zstd -3 floor",
    value: floor && codecCostMs()! / floor.compressMs,
    target: 1.5,
    unit: "×",
  },
  {
    what: "image, default codec: the run / the floor of reading and compressing",
    value: floor && median(codecRuns.default.map((r) => r.wallMs)) / floor.bothMs,
    target: 1.5,
    unit: "×",
  },
  { what: `default run / transform only, ${label(Number(values["load-rows"]))} new rows, empty warehouse`, value: loadRatios?.empty, target: 2, unit: "×" },
  { what: `default run / transform only, warehouse holding ${label(Number(values["history-rows"]))} rows`, value: loadRatios?.history, target: 2, unit: "×" },
  {
    what: "load time, holding / empty warehouse",
    value: loadRatios?.historyOverEmptyLoad,
    target: 1.3,
    unit: "×",
  },
];
print(`\nGoals (this run; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(" ")}):\n\n${formatGoals(goals)}\n`);

function label(rows: number): string {
  return rows >= 1e6 ? `${rows / 1e6}M` : `${rows / 1e3}k`;
}
