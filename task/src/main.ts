/**
 * Composition root: reads the command line and environment once, builds the adapters,
 * runs the job and maps errors to exit codes. Nothing else reads `process.env`.
 */
import { formatReadableSummary, terminalProgress } from "./cli/progress.ts";
import { MAIN_HELP, RUN_HELP, parseCommand, type RunCommand } from "./cli/cli-args.ts";
import { EXIT_OK, exitCodeFor, formatError } from "./errors.ts";
import { localInput } from "./input/local-input.ts";
import { runJob } from "./job.ts";
import { LocalRunOutput } from "./output/local-run-output.ts";
import { newRunId } from "./run-id.ts";

async function run(command: RunCommand): Promise<void> {
  const runId = command.runId ?? newRunId(new Date());
  const showProgress = command.progress ?? process.stderr.isTTY === true;
  const progress = showProgress ? terminalProgress(process.stderr) : undefined;
  const summary = await runJob({
    runId,
    input: localInput(command.input),
    output: await LocalRunOutput.create(command.output, runId),
    maxFieldBytes: command.maxFieldBytes,
    partBytes: command.partBytes,
    gzipLevel: command.gzipLevel,
    ...(progress ? { onProgress: (p) => progress.update(p) } : {}),
  }).finally(() => progress?.done());
  if (process.stderr.isTTY) process.stderr.write(formatReadableSummary(summary) + "\n");
  process.stdout.write(JSON.stringify(summary) + "\n");
}

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommand(argv);
  switch (command.command) {
    case "help":
      process.stdout.write(command.topic === "run" ? RUN_HELP : MAIN_HELP);
      return EXIT_OK;
    case "version":
      process.stdout.write("cti-etl 0.1.0\n");
      return EXIT_OK;
    case "run":
      await run(command);
      return EXIT_OK;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(formatError(error) + "\n");
    process.exitCode = exitCodeFor(error);
  },
);
