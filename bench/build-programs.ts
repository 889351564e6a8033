import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** Where the bundled programs go. */
export const DIST = fileURLToPath(new URL("../.cache/bench/dist/", import.meta.url));

/**
 * Bundles the job runner (with the worker entry beside it, as task/build.sh lays out the
 * image) and the peers, so every program starts as a plain `node file.mjs`: no TypeScript
 * loader in anyone's start-up time. Native engines stay external.
 */
export async function buildPrograms(): Promise<{ job: string; polars: string; duckdb: string }> {
  const root = new URL("../", import.meta.url);
  const entry = (p: string) => fileURLToPath(new URL(p, root));
  await build({
    entryPoints: {
      "job-runner": entry("bench/job-runner.ts"),
      "batch-worker": entry("task/src/parallel/batch-worker.ts"),
      polars: entry("bench/peers/polars.ts"),
      duckdb: entry("bench/peers/duckdb.ts"),
    },
    outdir: DIST,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["nodejs-polars", "@duckdb/node-api", "pg-native"],
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: "warning",
  });
  return { job: `${DIST}job-runner.mjs`, polars: `${DIST}polars.mjs`, duckdb: `${DIST}duckdb.mjs` };
}
