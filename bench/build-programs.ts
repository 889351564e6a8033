import { execFile } from "node:child_process";
import { copyFile, mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build, type BuildOptions } from "esbuild";

/** Where the bundled programs go. */
export const DIST = fileURLToPath(new URL("../.cache/bench/dist/", import.meta.url));

const run = promisify(execFile);

/**
 * Builds what the benchmark runs, so every program starts as a plain `node file.mjs` (no
 * TypeScript loader in anyone's start-up time):
 * - the job measures what ships: task/build.sh (the image's own bundling step) makes
 *   dist/task/batch-worker.mjs, which goes beside the job runner as the image lays it out
 *   (task/src/transform/worker-pool.ts looks the worker up next to the running bundle), and the
 *   runner (transformAndPublish on a local file, reporting counts and peak memory like the peers) is bundled
 *   with the same esbuild options as task/build.sh;
 * - the peers, with native engines left external.
 */
export async function buildPrograms(): Promise<{ job: string; polars: string; duckdb: string }> {
  const root = new URL("../", import.meta.url);
  const entry = (p: string) => fileURLToPath(new URL(p, root));
  await run("sh", [entry("task/build.sh")]);
  await mkdir(DIST, { recursive: true });
  await copyFile(entry("dist/task/batch-worker.mjs"), `${DIST}batch-worker.mjs`);
  const common: BuildOptions = {
    outdir: DIST,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: "warning",
  };
  // As task/build.sh bundles main.mjs (target, externals, banner).
  await build({ ...common, entryPoints: { "job-runner": entry("bench/job-runner.ts") }, target: "node24", external: ["pg-native"] });
  await build({
    ...common,
    entryPoints: { polars: entry("bench/peers/polars.ts"), duckdb: entry("bench/peers/duckdb.ts") },
    target: "node20",
    external: ["nodejs-polars", "@duckdb/node-api", "pg-native"],
  });
  return { job: `${DIST}job-runner.mjs`, polars: `${DIST}polars.mjs`, duckdb: `${DIST}duckdb.mjs` };
}
