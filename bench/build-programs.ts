import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build, type BuildOptions } from "esbuild";
import type { OutputKind } from "./peers/transform-spec.ts";

/** Where the bundled peers go. */
export const DIST = fileURLToPath(new URL("../.cache/bench/dist/", import.meta.url));
const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** The installed command, bin/cti-etl.js (package.json `bin`). */
export const CLI = `${ROOT}bin/cti-etl.js`;

const run = promisify(execFile);

/**
 * Loaded with `node --import` in front of a program that does not report its own peak memory (the
 * job, as users run it): prints the process's peak RSS (worker threads included) when it exits.
 * A measuring probe only; the program runs unchanged.
 */
export const MAX_RSS_PROBE =
  "data:text/javascript,process.on('exit',()=>process.stderr.write('cti-bench-maxrss-kib '+process.resourceUsage().maxRSS+'\\n'))";

/** The command line of one program on one input: `argv[0]` is the executable. */
export type ProgramCommand = (input: string, outDir: string, kind: OutputKind) => string[];

/**
 * What the benchmark runs, each as a plain `node …` (no TypeScript loader in anyone's start-up):
 * - the job is what ships: `node bin/cti-etl.js run --input <rows> --output <dir> --warehouse none`,
 *   the installed command running the bundle task/build.sh lays out (built here unless current,
 *   task/scripts/ensure-build.mjs), gzip parts (`--compression gzip` where the command has it;
 *   `csv` is `--gzip-level 0`, the rows stored in gzip framing), sized as it sizes itself;
 * - the peers, bundled with their native engines left external.
 * `jobArgs` go after the job's own (e.g. `--memory-budget`).
 */
export async function buildPrograms(jobArgs: readonly string[] = []): Promise<{ job: ProgramCommand; polars: ProgramCommand; duckdb: ProgramCommand; jobHasCompressionFlag: boolean }> {
  await run(process.execPath, [`${ROOT}task/scripts/ensure-build.mjs`]);
  const help = (await run(process.execPath, [CLI, "run", "--help"])).stdout;
  const jobHasCompressionFlag = /--compression\b/.test(help);
  const common: BuildOptions = {
    outdir: DIST,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: "warning",
    target: "node20",
    external: ["nodejs-polars", "@duckdb/node-api", "pg-native"],
  };
  await build({ ...common, entryPoints: { polars: `${ROOT}bench/peers/polars.ts`, duckdb: `${ROOT}bench/peers/duckdb.ts` } });
  const peer = (script: string): ProgramCommand => (input, outDir, kind) => [process.execPath, script, input, outDir, kind];
  return {
    job: (input, outDir, kind) => [
      process.execPath,
      "--import",
      MAX_RSS_PROBE,
      CLI,
      ...jobCommand(input, outDir, kind, jobHasCompressionFlag),
      ...jobArgs,
    ],
    polars: peer(`${DIST}polars.mjs`),
    duckdb: peer(`${DIST}duckdb.mjs`),
    jobHasCompressionFlag,
  };
}

/**
 * The job's arguments for one run, as a user would type them after `cti-etl`: transform only
 * (`--warehouse none`), no progress bar; `gzip` parts at the default level (`--compression gzip`
 * when `hasCompressionFlag`, since another codec may be the default), `csv` stored (level 0).
 */
export function jobCommand(input: string, outDir: string, kind: OutputKind, hasCompressionFlag: boolean, warehouse = "none"): string[] {
  const codec = kind === "csv" ? ["--gzip-level", "0"] : hasCompressionFlag ? ["--compression", "gzip"] : [];
  return ["run", "--input", input, "--output", outDir, "--warehouse", warehouse, "--no-progress", ...codec];
}
