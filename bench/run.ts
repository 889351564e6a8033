/**
 * `npm run bench`: the job against nodejs-polars and DuckDB on the same transform, on
 * generated inputs of 1M and 10M rows (cached under .cache/bench/data), each program a child
 * process of its own, taking turns round after round; prints a Markdown table of median wall
 * time, peak RSS, throughput and the job's ratio to each peer.
 *
 *   npm run bench -- [--sizes 1000000,10000000] [--rounds 3] [--kinds csv,gzip]
 *                    [--programs job,polars,duckdb] [--memory-limit-mib 1024]
 *
 * Output kinds: `csv` is uncompressed (the job's gzip level 0: the rows stored as they are
 * in gzip framing, which the warehouse loader reads; the peers write plain CSV), `gzip` is
 * gzip level 6 for the job and Polars (through Node's zlib), DuckDB's own gzip.
 * `--memory-limit-mib` (default 1024) is the container limit the job sizes its dedup budget
 * from, as on Fargate; the peers get no such limit.
 */
import { mkdir, rm } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchInput } from "./bench-data.ts";
import { buildPrograms, DIST } from "./build-programs.ts";
import { countMismatch, measure } from "./measure.ts";
import type { OutputKind } from "./peers/transform-spec.ts";
import { formatResults, median, type ResultRow } from "./results-table.ts";
import { measureSchemaCost } from "./schema-cost.ts";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "1000000,10000000" },
    rounds: { type: "string", default: "3" },
    kinds: { type: "string", default: "csv,gzip" },
    programs: { type: "string", default: "job,polars,duckdb" },
    "memory-limit-mib": { type: "string", default: "1024" },
  },
});
const sizes = values.sizes.split(",").map(Number);
const rounds = Number(values.rounds);
const kinds = values.kinds.split(",") as OutputKind[];
let programs = values.programs.split(",");
const log = (line: string) => process.stderr.write(`${line}\n`);

/** nodejs-polars' native binding is not installed by `npm ci` from the lockfile on every platform. */
async function polarsLoads(): Promise<boolean> {
  // A specifier in a variable: the peer is optional, installed by `npm run bench` only, so
  // `npm run typecheck` (tsconfig.json) must not need its types; tsconfig.bench.json checks it.
  const peer = "nodejs-polars";
  try {
    await import(peer);
    return true;
  } catch (error) {
    log(`nodejs-polars cannot load its native binding (${(error as Error).message.split("\n")[0]}).`);
    log("Fix: npm i --no-save nodejs-polars-linux-x64-gnu@0.26.1   (Polars is left out of this run)");
    return false;
  }
}

if (programs.includes("polars") && !(await polarsLoads())) programs = programs.filter((p) => p !== "polars");
const scripts = await buildPrograms();
const scriptOf: Record<string, string> = { job: scripts.job, polars: scripts.polars, duckdb: scripts.duckdb };
const outRoot = join(DIST, "..", "out");
const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${availableParallelism()} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;
log(`machine: ${machine}; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);

const results: ResultRow[] = [];
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
        const args = [input.path, outDir, kind, ...(program === "job" ? ["--memory-limit-mib", values["memory-limit-mib"]] : [])];
        const m = await measure(scriptOf[program]!, args, process.env);
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

process.stdout.write(`\nMachine: ${machine}. Load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(" ")}.\n`);
process.stdout.write(`Inputs: ${sizes.map((s) => `${label(s)} rows`).join(", ")}, generated (seed 42); every program's counts match the generator's.\n`);
process.stdout.write(`Job: ${values["memory-limit-mib"]} MiB container limit for its memory budget; ${rounds} rounds, median.\n\n`);
process.stdout.write(formatResults(results) + "\n");

// The arktype rules judge every row; what that costs, against the same conditions by hand.
const cost = measureSchemaCost();
const perMillionMs = cost.arktypeNsPerRow; // ns a row × 1e6 rows / 1e6 ns a ms
const job1m = results.find((r) => r.program === "job" && r.rows === 1e6 && r.kind === kinds[0]);
const share = job1m ? `, ${((100 * perMillionMs) / median(job1m.wallMs)).toFixed(1)}% of the job's 1M ${job1m.kind} median wall` : "";
process.stdout.write(
  `\nArktype on the hot path: ${cost.arktypeNsPerRow.toFixed(1)} ns a row (the same rules by hand: ${cost.handNsPerRow.toFixed(1)} ns), ` +
    `${perMillionMs.toFixed(0)} ms per 1M rows on one thread${share}.\n`,
);

function label(rows: number): string {
  return rows >= 1e6 ? `${rows / 1e6}M` : `${rows / 1e3}k`;
}
