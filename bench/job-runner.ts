/**
 * The job as the benchmark runs it: a child process that runs `transformAndPublish` on a local file
 * and prints its counts and peak memory, like the peers. Bundled with esbuild first, as the
 * image bundles main.mjs, and run beside the image's own worker bundle (build-programs.ts).
 * Sized as the deployed task sizes itself (config/sizing.ts), from this machine or from
 * `--memory-limit-mib` (a container's limit); `--workers` and `--memory-budget-mib` override.
 * Usage: job-runner.mjs <input.csv> <outDir> csv|gzip [--workers N] [--memory-limit-mib N]
 *        [--memory-budget-mib N] [--slices N] [--gzip-level N] [--spill-dir DIR]
 */
import "../task/src/records/arktype-startup.ts";
import { parseArgs } from "node:util";
import { localInput } from "../task/src/source/local-input.ts";
import { transformAndPublish } from "../task/src/run/transform-and-publish.ts";
import { LocalRunOutput } from "../task/src/sinks/local-run-output.ts";
import { sizeRun } from "../task/src/config/sizing.ts";
import { readHostResources } from "../task/src/config/host-resources.ts";
import { peerArgs, type ProgramReport } from "./peers/transform-spec.ts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    workers: { type: "string" },
    "memory-limit-mib": { type: "string" },
    "memory-budget-mib": { type: "string" },
    slices: { type: "string" },
    "gzip-level": { type: "string" },
    "spill-dir": { type: "string" },
  },
});
const { input, outDir, kind } = peerArgs(positionals);
// As the deployed task sizes itself: `--memory-limit-mib` stands for the task's memory limit.
const { workers, memoryBudgetBytes } = sizeRun(
  {
    workers: values.workers !== undefined ? Number(values.workers) : undefined,
    memoryBudgetBytes: values["memory-budget-mib"] !== undefined ? Number(values["memory-budget-mib"]) * 2 ** 20 : undefined,
  },
  values["memory-limit-mib"] !== undefined ? { memoryLimitMiB: Number(values["memory-limit-mib"]) } : {},
  await readHostResources(),
);
const summary = await transformAndPublish({
  runId: "bench",
  input: localInput(input),
  output: await LocalRunOutput.create(outDir, "bench"),
  maxFieldBytes: 65535,
  partBytes: 128 << 20,
  // "csv" is the uncompressed kind: gzip level 0 stores the rows as they are, in gzip framing.
  gzipLevel: values["gzip-level"] !== undefined ? Number(values["gzip-level"]) : kind === "gzip" ? 6 : 0,
  workers,
  memoryBudgetBytes,
  ...(values.slices !== undefined ? { sliceCount: Number(values.slices) } : {}),
  ...(values["spill-dir"] !== undefined ? { spillDir: values["spill-dir"] } : {}),
});
const report: ProgramReport = {
  rowsRead: summary.rowsRead,
  clean: summary.clean,
  duplicates: summary.duplicates,
  rejected: summary.rejected,
  rejectedByReason: summary.rejectedByReason,
  maxRssKiB: process.resourceUsage().maxRSS,
};
process.stdout.write(JSON.stringify(report) + "\n");
