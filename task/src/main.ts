/**
 * Composition root: parses the command line and environment once (config/settings.ts), sizes
 * the run (config/sizing.ts), builds the adapters, runs the command and maps errors to exit
 * codes. Nothing else reads `process.env`.
 */
// First: arktype's keywords stay jitless (records/arktype-startup.ts); the benchmark's runner does the same.
import "./records/arktype-startup.ts";
import type { S3Client } from "@aws-sdk/client-s3";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  COMMIT_HELP,
  MAIN_HELP,
  PLAN_HELP,
  RUN_HELP,
  SHARD_HELP,
  SQL_HELP,
  STATUS_HELP,
  type CommitCommand,
  type PlanCommand,
  type RunCommand,
  type ShardCommand,
  type SqlCommand,
  type StatusCommand,
  type TransformSettings,
} from "./cli/cli-args.ts";
import { formatRows } from "./cli/format-rows.ts";
import { chooseOutputMode, jsonSummaryOnStdout } from "./cli/output-mode.ts";
import { countReads, RunProgressView } from "./cli/progress.ts";
import { formatReadableSkip, formatReadableSummary } from "./cli/readable-summary.ts";
import { VERSION_LINE } from "./cli/version.ts";
import { readHostResources } from "./config/host-resources.ts";
import { parseSettings, type Settings } from "./config/settings.ts";
import { sizeRun, type RunSizing } from "./config/sizing.ts";
import { selectWarehouse, type WarehouseChoice } from "./config/warehouse-selection.ts";
import { EXIT_OK, EtlError, exitCodeFor, formatError } from "./errors.ts";
import { queryFailedError } from "./load/query-failure.ts";
import { runFailure } from "./observability/run-outcome.ts";
import type { InputSource } from "./source/input-source.ts";
import { localInput } from "./source/local-input.ts";
import { leaseKey } from "./lease/lease-key.ts";
import { readRecentRuns } from "./load/ledger-history.ts";
import { formatStatusReport } from "./observability/status-report.ts";
import { LocalRunOutput } from "./sinks/local-run-output.ts";
import type { RunOutput } from "./sinks/run-output.ts";
import { startDeadline } from "./run/deadline.ts";
import { onTermination } from "./run/termination.ts";
import { newRunId } from "./run/run-id.ts";
import { runOnce, type RunWarehouse } from "./run/run-once.ts";
import { transformAndPublish, type Progress } from "./run/transform-and-publish.ts";
import { s3ClientConfig } from "./s3/s3-client-config.ts";
import { isS3Uri, parseS3Uri } from "./s3/s3-uri.ts";
import { partReaderFor } from "./load/part-reader.ts";
import type { WarehouseLockOptions } from "./load/warehouse-lock.ts";

/**
 * Adapters are built lazily, and their modules imported (`import()`) only when a run needs them:
 * a local run never loads the AWS SDK, and `--version`/`--help` load no adapter at all (start-up
 * time is mostly module loading; task/build.sh splits each into a chunk of its own).
 */
function adapters(settings: Settings) {
  let made: S3Client | undefined;
  let s3: Promise<S3Client> | undefined;
  const client = () => (s3 ??= import("./s3/s3-sdk.ts").then(({ S3Client }) => (made = new S3Client(s3ClientConfig(settings.s3)))));
  return {
    input: async (uri: string): Promise<InputSource> =>
      isS3Uri(uri) ? (await import("./source/s3-input.ts")).s3Input(await client(), parseS3Uri(uri)) : localInput(uri),
    /** A small file of a fanned-out run (plan/stored-file.ts) at a URI or path. */
    storedFile: async (uri: string) =>
      isS3Uri(uri) ? (await import("./plan/s3-stored-file.ts")).s3File(await client(), parseS3Uri(uri)) : (await import("./plan/stored-file.ts")).localFile(uri),
    output: async (uri: string, runId: string): Promise<RunOutput> =>
      isS3Uri(uri) ? (await import("./sinks/s3-run-output.ts")).S3RunOutput.create(await client(), parseS3Uri(uri), runId) : LocalRunOutput.create(uri, runId),
    s3: client,
    close: () => made?.destroy(),
  };
}

/**
 * `s3`: the client for `s3://` clean parts (an S3 output); a local output's parts are files. An
 * embedded warehouse is locked while open (load/warehouse-lock.ts): `lock` says who waits how
 * long. `onPartBytes`: told the bytes of clean parts a Postgres warehouse reads (the load's progress bar).
 */
function runWarehouse(
  choice: NonNullable<WarehouseChoice>,
  s3: (() => Promise<S3Client>) | undefined,
  lock: WarehouseLockOptions,
  onPartBytes?: (n: number) => void,
): RunWarehouse {
  return {
    open: async ({ waitForLock = true } = {}) => {
      const client = s3 ? await s3() : undefined;
      const { createWarehouse } = await import("./load/create-warehouse.ts");
      return createWarehouse(choice.config, {
        ...(client ? { s3: client } : {}),
        lock: waitForLock ? lock : { ...lock, waitMs: 0 },
        ...(onPartBytes ? { readPart: countReads(partReaderFor(client), onPartBytes) } : {}),
      });
    },
    dialect: choice.config.kind === "redshift" ? "redshift" : "postgres",
    table: choice.table,
    describe: choice.describe,
  };
}

/** What the transform is told by `run` and `shard` alike: their transform settings, sized once. */
function transformOptions(command: TransformSettings, sizing: RunSizing) {
  return {
    maxFieldBytes: command.maxFieldBytes,
    partBytes: command.partBytes,
    compression: command.compression,
    gzipLevel: command.gzipLevel,
    workers: sizing.workers,
    memoryBudgetBytes: sizing.memoryBudgetBytes,
    sliceCount: command.sliceCount,
  };
}

async function run(command: RunCommand, settings: Settings): Promise<void> {
  const runId = command.runId ?? newRunId(new Date());
  const choice = selectWarehouse(settings.warehouse, { warehouse: command.warehouse, table: command.table });
  const deadlineSeconds = settings.deadlineSeconds;
  // What goes where (cli/output-mode.ts): progress, readable lines and summary for a person on
  // stderr; JSON lines off a terminal; the JSON summary on stdout when it is not a terminal.
  const mode = chooseOutputMode({
    logFormat: settings.observability.log.format,
    json: command.json,
    progress: command.progress,
    stderrIsTty: process.stderr.isTTY === true,
    stdoutIsTty: process.stdout.isTTY === true,
  });
  const view =
    mode.progress === "off"
      ? undefined
      : new RunProgressView(process.stderr, { live: mode.progress === "live", ...(choice ? { warehouse: choice.describe, table: choice.table } : {}) });
  const { startRunObserver } = await import("./observability/run-observer.ts");
  const observer = await startRunObserver({ ...settings.observability, log: { ...settings.observability.log, format: mode.logFormat } }, runId, {
    stderr: view?.log ?? process.stderr,
    ...(view ? { onStage: (event) => view.stage(event) } : {}),
  });
  // Sized once, here, from the settings and the task's limits (read by the observer on ECS).
  const sizing = sizeRun(command, observer.taskMetadata ?? {}, await readHostResources());
  observer.reportSizing(sizing);
  const taskArn = observer.taskMetadata?.taskArn ?? "local";
  const io = adapters(settings);
  // ECS stops a task with SIGTERM: cancel what is in flight and release the lease before SIGKILL.
  const termination = onTermination();
  try {
    const output = isS3Uri(command.output) ? parseS3Uri(command.output) : undefined;
    const result = await runOnce({
      runId,
      inputUri: command.input,
      input: await io.input(command.input),
      openOutput: () => io.output(command.output, runId),
      transform: { ...transformOptions(command, sizing), ...(view ? { onProgress: (p: Progress) => view.transform(p) } : {}) },
      ...(choice
        ? {
            warehouse: runWarehouse(
              choice,
              output ? io.s3 : undefined,
              {
                command: "run",
                runId,
                waitMs: command.lockWaitSeconds * 1000,
                onWait: (message, holder) => observer.logger.warn(message, { holder }),
                onLost: (error) => observer.logger.warn("the warehouse lock was lost while held", { error }),
              },
              view && ((n) => view.partBytes(n)),
            ),
          }
        : {}),
      // Scheduled and ad-hoc runs share an S3 output: one lease per output prefix.
      ...(output
        ? { lease: new (await import("./lease/s3-lease.ts")).S3Lease(await io.s3(), { bucket: output.bucket, key: leaseKey(output.key), runId, taskArn, ttlMs: settings.leaseTtlMs }) }
        : {}),
      observer,
      taskArn,
      ...(deadlineSeconds ? { deadline: startDeadline(deadlineSeconds) } : {}),
      terminated: termination.signal,
    });
    view?.close();
    const readable = mode.readableSummary === "none" ? undefined : mode.readableSummary === "stderr" ? process.stderr : process.stdout;
    if (result.status === "skipped") {
      readable?.write(formatReadableSkip(result.runId, result.reason) + "\n");
      if (mode.jsonSummary) process.stdout.write(JSON.stringify(result) + "\n");
      return;
    }
    // The wall time since the process started: what a person timing the command waited.
    readable?.write(formatReadableSummary(result.summary, { wallMs: performance.now(), stageDurationsMs: observer.stageDurationsMs }) + "\n");
    if (mode.jsonSummary) process.stdout.write(JSON.stringify(result.summary) + "\n");
  } finally {
    termination.dispose();
    view?.close();
    io.close();
  }
}

async function withWarehouse<T>(
  settings: Settings,
  command: SqlCommand | StatusCommand,
  flag: { warehouse?: string | undefined; table?: string | undefined },
  use: (w: Awaited<ReturnType<RunWarehouse["open"]>>, target: RunWarehouse) => Promise<T>,
): Promise<T> {
  const choice = selectWarehouse(settings.warehouse, flag);
  if (!choice) throw new EtlError("USAGE", "no warehouse to query (--warehouse none)");
  // PGlite cannot open a folder another process has open, even to read: wait like a run does.
  const target = runWarehouse(choice, undefined, {
    command: command.command,
    waitMs: command.lockWaitSeconds * 1000,
    onWait: (message) => process.stderr.write(`cti-etl: ${message}\n`),
  });
  const warehouse = await target.open();
  try {
    return await use(warehouse, target);
  } finally {
    await warehouse.close();
  }
}

async function sql(command: SqlCommand, settings: Settings): Promise<void> {
  await withWarehouse(settings, command, { warehouse: command.warehouse }, async (warehouse) => {
    const result = await warehouse.query(command.statement).catch((error: unknown) => {
      throw queryFailedError(error);
    });
    const asJson = () => result.rows.map((r) => JSON.stringify(Object.fromEntries(result.columns.map((c, i) => [c, r[i]]))) + "\n").join("");
    process.stdout.write(command.json ? asJson() : formatRows(result));
  });
}

async function status(command: StatusCommand, settings: Settings): Promise<void> {
  await withWarehouse(settings, command, { warehouse: command.warehouse, table: command.table }, async (warehouse, target) => {
    process.stdout.write(formatStatusReport(await readRecentRuns(warehouse, target.dialect, target.table, { limit: command.limit })));
  });
}

async function plan(command: PlanCommand, settings: Settings): Promise<void> {
  const runId = command.runId ?? newRunId(new Date());
  const io = adapters(settings);
  try {
    const { planRun, planUri } = await import("./plan/plan-run.ts");
    const result = await planRun({ runId, input: () => io.input(command.input), store: await io.storedFile(planUri(command.output, runId)), shardBytes: command.shardBytes });
    const verb = result.outcome === "planned" ? "planned" : "already planned (reused as it is)";
    process.stderr.write(`run ${runId} ${verb}: ${result.shards} shard(s) over ${result.objects} object(s), ${result.bytes} bytes: ${result.plan}\n`);
    process.stdout.write(JSON.stringify(result) + "\n");
  } finally {
    io.close();
  }
}

async function shard(command: ShardCommand, settings: Settings): Promise<void> {
  const io = adapters(settings);
  try {
    const { shardRun } = await import("./plan/shard-run.ts");
    const { runIdOfPlan } = await import("./plan/shard-check.ts");
    const { plannedInput } = await import("./plan/planned-input.ts");
    const { startRunObserver } = await import("./observability/run-observer.ts");
    const planUri = planUrl(command.plan);
    const observer = await startRunObserver(settings.observability, runIdOfPlan(planUri), { stderr: process.stderr });
    const sizing = sizeRun(command, observer.taskMetadata ?? {}, await readHostResources());
    observer.reportSizing(sizing);
    const result = await shardRun({
      planUri,
      index: command.index,
      file: (uri) => io.storedFile(uri),
      input: (line) => plannedInput(line.objects, io.s3),
      openOutput: (root, id) => io.output(root.startsWith("file:") ? fileURLToPath(root) : root, id),
      transform: (runId, input, output) =>
        observer.stage("transform", () =>
          transformAndPublish({ runId, input, output, ...transformOptions(command, sizing) }),
        ),
    });
    const { summary } = result;
    observer.logger.info(
      result.outcome === "published" ? `shard ${result.shard} of ${result.of} published` : `shard ${result.shard} of ${result.of} was already published; not run again`,
      { shard: result.shard, outcome: result.outcome, rowsRead: summary.rowsRead, clean: summary.clean, duplicates: summary.duplicates, rejected: summary.rejected, output: summary.output },
    );
    if (jsonSummaryOnStdout({ json: command.json, stdoutIsTty: process.stdout.isTTY === true })) process.stdout.write(JSON.stringify(result) + "\n");
  } finally {
    io.close();
  }
}

/** A plan's URI as a URL: `s3://…` as it is, a path as a `file://` URL. */
function planUrl(plan: string): string {
  return isS3Uri(plan) || plan.startsWith("file:") ? plan : pathToFileURL(resolve(plan)).href;
}

async function commit(command: CommitCommand, settings: Settings): Promise<void> {
  const choice = selectWarehouse(settings.warehouse, { warehouse: command.warehouse, table: command.table });
  if (!choice) throw new EtlError("USAGE", "cti-etl commit loads the run: it needs a warehouse (not --warehouse none)");
  const planUri = planUrl(command.plan);
  const io = adapters(settings);
  try {
    const { commitRun } = await import("./plan/commit-run.ts");
    const { runIdOfPlan } = await import("./plan/shard-check.ts");
    const { startRunObserver } = await import("./observability/run-observer.ts");
    const runId = runIdOfPlan(planUri);
    const observer = await startRunObserver(settings.observability, runId, { stderr: process.stderr });
    const target = runWarehouse(choice, isS3Uri(planUri) ? io.s3 : undefined, {
      command: "commit",
      runId,
      waitMs: command.lockWaitSeconds * 1000,
      onWait: (message, holder) => observer.logger.warn(message, { holder }),
      onLost: (error) => observer.logger.warn("the warehouse lock was lost while held", { error }),
    });
    // The run's outcome is reported here, where a fanned-out run ends: its metrics (the
    // no-recent-success alarm counts it), its notifications, the check against its history.
    const started = new Date();
    const facts = () => ({ runId, startedAt: started.toISOString(), finishedAt: new Date().toISOString(), durationMs: Date.now() - started.getTime(), input: planUri });
    let result;
    try {
      result = await observer.stage("load", () =>
        commitRun({
          planUri,
          file: (uri) => io.storedFile(uri),
          openWarehouse: () => target.open(),
          table: choice.table,
          taskArn: observer.taskMetadata?.taskArn ?? "local",
          beforeLoad: (summary, warehouse) =>
            observer.checkAgainstHistory(summary, (limit) => readRecentRuns(warehouse, target.dialect, target.table, { limit, onlyLoaded: true })),
        }),
      );
    } catch (error) {
      await observer.finish({ status: "failed", ...facts(), failure: runFailure(error) });
      throw error;
    }
    const { load, summary } = result;
    await observer.finish({ status: "succeeded", ...facts(), startedAt: summary.startedAt, counts: summary, load: { outcome: load.outcome, loaded: load.loaded, alreadyPresent: load.alreadyPresent } });
    observer.logger.info(
      load.outcome === "loaded"
        ? `run ${summary.runId} committed: ${load.loaded} rows loaded into ${choice.table}, ${load.alreadyPresent} already present, ${result.crossShardDuplicates} kept by more than one shard`
        : `already loaded: this input was loaded by run ${load.loadedBy}; nothing new was added to ${choice.table}`,
      { outcome: load.outcome, loaded: load.loaded, alreadyPresent: load.alreadyPresent, loadedBy: load.loadedBy },
    );
    if (jsonSummaryOnStdout({ json: command.json, stdoutIsTty: process.stdout.isTTY === true })) process.stdout.write(JSON.stringify({ ...summary, ...load, loadOutcome: load.outcome, crossShardDuplicates: result.crossShardDuplicates, table: choice.table }) + "\n");
  } finally {
    io.close();
  }
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const settings = parseSettings(argv, env);
  const command = settings.command;
  switch (command.command) {
    case "help":
      process.stdout.write({ main: MAIN_HELP, run: RUN_HELP, sql: SQL_HELP, status: STATUS_HELP, plan: PLAN_HELP, shard: SHARD_HELP, commit: COMMIT_HELP }[command.topic]);
      return EXIT_OK;
    case "version":
      process.stdout.write(VERSION_LINE);
      return EXIT_OK;
    case "sql":
      await sql(command, settings);
      return EXIT_OK;
    case "status":
      await status(command, settings);
      return EXIT_OK;
    case "run":
      await run(command, settings);
      return EXIT_OK;
    case "plan":
      await plan(command, settings);
      return EXIT_OK;
    case "shard":
      await shard(command, settings);
      return EXIT_OK;
    case "commit":
      await commit(command, settings);
      return EXIT_OK;
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(formatError(error) + "\n");
    // Exit now: after a deadline, abandoned streams must not keep the task alive. stderr
    // and stdout are synchronous for files and pipes on Linux, so nothing is lost.
    process.exit(exitCodeFor(error));
  },
);
