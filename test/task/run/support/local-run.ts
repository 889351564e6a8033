import { transformAndPublish, type JobOptions } from "../../../../task/src/run/transform-and-publish.ts";
import type { RunSummary } from "../../../../task/src/run/summary.ts";
import { LocalRunOutput } from "../../../../task/src/sinks/local-run-output.ts";
import { localInput } from "../../../../task/src/source/local-input.ts";

/**
 * Transforms and publishes a local input into `<outRoot>/<runId>/` with the command's defaults
 * (65535-byte fields, 128 MiB parts, gzip level 1, the main thread alone, 512 MiB of dedup);
 * `extra` overrides any of them.
 */
export async function runLocal(input: string, outRoot: string, runId: string, extra: Partial<JobOptions> = {}): Promise<RunSummary> {
  return transformAndPublish({
    runId,
    input: localInput(input),
    output: await LocalRunOutput.create(outRoot, runId),
    maxFieldBytes: 65535,
    partBytes: 128 << 20,
    gzipLevel: 1,
    workers: 1,
    memoryBudgetBytes: 512 << 20,
    ...extra,
  });
}
