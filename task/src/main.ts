/**
 * Composition root: reads the command line and environment once, builds the adapters,
 * runs the job and maps errors to exit codes. Nothing else reads `process.env`.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { formatReadableSummary, terminalProgress } from "./cli/progress.ts";
import { MAIN_HELP, RUN_HELP, parseCommand, type RunCommand } from "./cli/cli-args.ts";
import { settingsFromEnv, type RuntimeSettings } from "./config/runtime-settings.ts";
import { EXIT_OK, exitCodeFor, formatError } from "./errors.ts";
import type { InputSource } from "./input/input-source.ts";
import { localInput } from "./input/local-input.ts";
import { runJob } from "./job.ts";
import { LocalRunOutput } from "./output/local-run-output.ts";
import type { RunOutput } from "./output/run-output.ts";
import { newRunId } from "./run-id.ts";
import { s3ClientConfig } from "./s3/s3-client-config.ts";
import { s3Input } from "./s3/s3-input.ts";
import { S3RunOutput } from "./s3/s3-run-output.ts";
import { isS3Uri, parseS3Uri } from "./s3/s3-uri.ts";

/** Adapters are built lazily: a local run never constructs an AWS client. */
function adapters(settings: RuntimeSettings) {
  let s3: S3Client | undefined;
  const client = () => (s3 ??= new S3Client(s3ClientConfig(settings.s3)));
  return {
    input: (uri: string): InputSource => (isS3Uri(uri) ? s3Input(client(), parseS3Uri(uri)) : localInput(uri)),
    output: (uri: string, runId: string): Promise<RunOutput> =>
      isS3Uri(uri) ? S3RunOutput.create(client(), parseS3Uri(uri), runId) : LocalRunOutput.create(uri, runId),
    close: () => s3?.destroy(),
  };
}

async function run(command: RunCommand, settings: RuntimeSettings): Promise<void> {
  const runId = command.runId ?? newRunId(new Date());
  const showProgress = command.progress ?? process.stderr.isTTY === true;
  const progress = showProgress ? terminalProgress(process.stderr) : undefined;
  const io = adapters(settings);
  const input = io.input(command.input);
  const summary = await runJob({
    runId,
    input,
    output: await io.output(command.output, runId),
    maxFieldBytes: command.maxFieldBytes,
    partBytes: command.partBytes,
    gzipLevel: command.gzipLevel,
    ...(progress ? { onProgress: (p) => progress.update(p) } : {}),
  }).finally(() => {
    progress?.done();
    io.close();
  });
  if (process.stderr.isTTY) process.stderr.write(formatReadableSummary(summary) + "\n");
  process.stdout.write(JSON.stringify(summary) + "\n");
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const settings = settingsFromEnv(env);
  const command = parseCommand(argv, settings.run);
  switch (command.command) {
    case "help":
      process.stdout.write(command.topic === "run" ? RUN_HELP : MAIN_HELP);
      return EXIT_OK;
    case "version":
      process.stdout.write("cti-etl 0.1.0\n");
      return EXIT_OK;
    case "run":
      await run(command, settings);
      return EXIT_OK;
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(formatError(error) + "\n");
    process.exitCode = exitCodeFor(error);
  },
);
