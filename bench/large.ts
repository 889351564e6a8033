/**
 * `npm run bench:large`: the job alone on 100M generated rows (about 8 GB, generated once
 * into .cache/bench/data, which takes a while), sized for a container of
 * `--memory-limit-mib` (default 2048): the dedup spills to disk past its budget. Prints wall
 * time, peak RSS and throughput, and checks the counts against the generator's. The job is the
 * installed command (bench/build-programs.ts), given the memory budget it would size itself in a
 * container of that limit (`--memory-budget`).
 *
 *   npm run bench:large -- [--rows 100000000] [--kind csv|gzip] [--memory-limit-mib 2048] [--peers]
 *
 * `--peers` also runs Polars and DuckDB (expect them to need far more memory than the job).
 */
import { mkdir, rm } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchInput } from "./bench-data.ts";
import { sizeRun } from "../task/src/config/sizing.ts";
import { readHostResources } from "../task/src/config/host-resources.ts";
import { buildPrograms, DIST, type ProgramCommand } from "./build-programs.ts";
import { countMismatch, measure } from "./measure.ts";
import type { OutputKind } from "./peers/transform-spec.ts";
import { formatResults, type ResultRow } from "./results-table.ts";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "100000000" },
    kind: { type: "string", default: "csv" },
    "memory-limit-mib": { type: "string", default: "2048" },
    peers: { type: "boolean", default: false },
  },
});
const rows = Number(values.rows);
const kind = values.kind as OutputKind;
const log = (line: string) => process.stderr.write(`${line}\n`);
const { memoryBudgetBytes } = sizeRun({}, { memoryLimitMiB: Number(values["memory-limit-mib"]) }, await readHostResources());
const built = await buildPrograms(["--memory-budget", String(Math.floor(memoryBudgetBytes / 2 ** 20))]);
const input = await benchInput(rows, log);
const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${availableParallelism()} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;
log(`machine: ${machine}; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);

const programs: [string, ProgramCommand][] = [["job", built.job]];
if (values.peers) programs.push(["polars", built.polars], ["duckdb", built.duckdb]);
const results: ResultRow[] = [];
for (const [program, command] of programs) {
  const outDir = join(DIST, "..", "out", `${program}-large`);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  log(`running ${program} on ${rows.toLocaleString("en")} rows (${(input.bytes / 1e9).toFixed(1)} GB)…`);
  try {
    const m = await measure(command(input.path, outDir, kind), process.env);
    const mismatch = countMismatch(m.report, input.expected);
    if (mismatch) throw new Error(`${program} miscounted: ${mismatch}`);
    results.push({ size: `${rows / 1e6}M`, kind, program, wallMs: [m.wallMs], peakRssBytes: [m.peakRssBytes], rows, inputBytes: input.bytes });
    log(`${program}: ${(m.wallMs / 1000).toFixed(1)} s, ${Math.round(m.peakRssBytes / 2 ** 20)} MiB`);
  } catch (error) {
    log(`${program} failed: ${(error as Error).message}`);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
process.stdout.write(`\nMachine: ${machine}. Load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(" ")}.\n`);
process.stdout.write(`Job: ${values["memory-limit-mib"]} MiB container limit for its memory budget.\n\n`);
process.stdout.write(formatResults(results) + "\n");
