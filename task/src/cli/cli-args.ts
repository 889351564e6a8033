import type { type } from "arktype";
import { parseArgs } from "node:util";
import { EtlError } from "../errors.ts";
import { isVersionRequest } from "./version.ts";
import { REDSHIFT_MAX_VARCHAR_BYTES } from "../records/record-schema.ts";
import { RUN_ID_PATTERN } from "../run/run-id.ts";
import { ENVIRONMENT_HELP, parseFlagValue, settingValue, type EnvironmentHelp, type ParsedEnvironment } from "../config/environment.ts";
import { BASE_RESERVE_BYTES, MEMORY_BUDGET_SHARE, PER_WORKER_RESERVE_BYTES } from "../config/sizing.ts";
import { DEFAULT_EMBEDDED_WAREHOUSE, DEFAULT_TABLE } from "../config/warehouse-selection.ts";
import { DEFAULT_LOCK_WAIT_SECONDS } from "../load/warehouse-lock-decision.ts";
import type { LogFormatSetting } from "../observability/log-format.ts";
import { chooseCompression, zlibCapabilities, type Compression, type ZlibCapabilities } from "../sinks/codec.ts";

const MiB = 2 ** 20;

/** Defaults of `cti-etl run`. */
export const RUN_DEFAULTS = {
  maxFieldBytes: REDSHIFT_MAX_VARCHAR_BYTES,
  /** 128 MiB of CSV per part compresses to roughly 30–60 MB: inside COPY's 1 MB–1 GB sweet spot. */
  partMiB: 128,
  gzipLevel: 6,
} as const;

/** A parsed `cti-etl run`. */
export interface RunCommand {
  command: "run";
  input: string;
  output: string;
  maxFieldBytes: number;
  partBytes: number;
  /** `--compression`: codec of the parts; default zstd where the runtime has it, else gzip. */
  compression: Compression;
  gzipLevel: number;
  runId: string | undefined;
  /** `true`/`false` forces progress on or off; `undefined` shows it when stderr is a terminal with readable logs. */
  progress: boolean | undefined;
  /** `--log-format`: `json`, `pretty` or `auto`; unset: `CTI_LOG_FORMAT` (settings.ts puts it in the observability config). */
  logFormat: LogFormatSetting | undefined;
  /** `--json`: the JSON summary on stdout even when stdout is a terminal. */
  json: boolean;
  /** `--warehouse`: a PGlite folder, a postgres:// URL or `none`; unset: from the environment. */
  warehouse: string | undefined;
  /** `--table`: target table; unset: from the environment or the default. */
  table: string | undefined;
  /** `--workers`: threads for the transform; unset: the CPUs the task has. */
  workers: number | undefined;
  /** `--memory-budget` in bytes: the dedup set's memory before it spills; unset: from the memory limit. */
  memoryBudgetBytes: number | undefined;
  /** `--slices`: the clean part count is a multiple of this (Redshift slices). */
  sliceCount: number;
  /** `--lock-wait`: seconds to wait for another command holding the embedded warehouse. */
  lockWaitSeconds: number;
}

/** A parsed `cti-etl sql`. */
export interface SqlCommand {
  command: "sql";
  statement: string;
  warehouse: string | undefined;
  /** Print rows as JSON lines instead of a table. */
  json: boolean;
  /** `--lock-wait`: seconds to wait for another command holding the embedded warehouse. */
  lockWaitSeconds: number;
}

/** A parsed `cti-etl status`. */
export interface StatusCommand {
  command: "status";
  limit: number;
  warehouse: string | undefined;
  table: string | undefined;
  /** `--lock-wait`: seconds to wait for another command holding the embedded warehouse. */
  lockWaitSeconds: number;
}

/** `cti-etl plan`: the shard plan of a fanned-out run (plan/). */
export interface PlanCommand {
  command: "plan";
  input: string;
  output: string;
  /** The byte target of a shard. */
  shardBytes: number;
  runId: string | undefined;
}

/**
 * Default byte target of a shard: 2 GiB, a few minutes for one task. The image transforms 15–20 MB
 * of CSV a second per vCPU (`npm run bench`, container section: 10M rows, 824 MB, in 54.5 s at
 * 1 vCPU with gzip parts; 1M rows in 4.0 s with zstd), so 2 GiB of plain CSV is about 2 minutes on
 * the default 1-vCPU task. Shards are weighed by stored bytes: a gzip object holds about 4× its
 * size in CSV, so a prefix of gzip files wants a smaller target (`--shard-bytes`).
 */
export const DEFAULT_SHARD_BYTES = 2 * 2 ** 30;

/** `cti-etl shard`: one shard of a planned run (plan/shard-run.ts). */
export interface ShardCommand extends TransformSettings {
  command: "shard";
  /** The run's plan.jsonl (s3://, file:// or a path). */
  plan: string;
  index: number;
  /** The JSON result on stdout even on a terminal (off a terminal it is always there). */
  json: boolean;
}

/** `cti-etl commit`: the end of a planned run (plan/commit-run.ts). */
export interface CommitCommand {
  command: "commit";
  /** The run's plan.jsonl (s3://, file:// or a path). */
  plan: string;
  warehouse: string | undefined;
  table: string | undefined;
  lockWaitSeconds: number;
  json: boolean;
}

export type Command =
  | RunCommand
  | SqlCommand
  | StatusCommand
  | PlanCommand
  | ShardCommand
  | CommitCommand
  | { command: "help"; topic: "main" | "run" | "sql" | "status" | "plan" | "shard" | "commit" }
  | { command: "version" };

const SECTIONS: readonly [EnvironmentHelp["section"], string][] = [
  ["run", "defaults for cti-etl run's options"],
  ["warehouse", "where the clean rows are loaded (Redshift through the Data API when a workgroup or cluster is set)"],
  ["run control", "limits of a run"],
  ["observability", "logs, metrics, notifications and the check against history"],
  ["AWS", "AWS, besides the SDK's own (AWS_PROFILE, AWS_ENDPOINT_URL_REDSHIFT_DATA…); credentials come from the SDK's default chain (on ECS: the task role)"],
];

/** `first` then the words of `text`, wrapped to 92 columns, continuation lines indented by `indent`. */
function wrap(first: string, text: string, indent: string): string {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(" ")) {
    if (line.trim() && line.length + 1 + word.length > 92) {
      lines.push(line);
      line = indent + word;
    } else line = line.trim() ? (line.endsWith(" ") ? line + word : `${line} ${word}`) : line + word;
  }
  return [...lines, line].join("\n");
}

/**
 * The help's environment section: every variable of the schema (config/environment.ts), by
 * section, generated so that it cannot miss one. Unset or empty means the default.
 */
export const ENVIRONMENT_SECTION = `Environment (unset or empty means the default; secrets come from Secrets Manager on ECS):
${SECTIONS.map(([section, about]) => {
  const keys = (Object.keys(ENVIRONMENT_HELP) as (keyof typeof ENVIRONMENT_HELP)[]).filter((key) => ENVIRONMENT_HELP[key].section === section);
  const lines = keys.map((key) => wrap(`    ${key.padEnd(32)}`, ENVIRONMENT_HELP[key].help, " ".repeat(36)));
  return `${wrap("  ", `${about[0]!.toUpperCase()}${about.slice(1)}:`, "  ")}\n${lines.join("\n")}`;
}).join("\n")}
`;

export const MAIN_HELP = `cti-etl: validate, normalise and dedup a Key,Data CSV, then publish clean and rejected rows.

Usage:
  cti-etl run --input <path|s3://…> --output <dir|s3://…> [options]
  cti-etl sql [--warehouse <dir|postgres://…>] [--json] [--lock-wait <s>] "SELECT …"
  cti-etl status [--limit N] [--warehouse <dir|postgres://…>] [--table <name>] [--lock-wait <s>]
  cti-etl plan --input <…> --output <…> [--run-id <id>] [--shard-bytes N]
  cti-etl shard --plan <uri> --index K
  cti-etl commit --plan <uri> [--warehouse <dir|postgres://…>]
  cti-etl --help | <command> --help | --version

Commands:
  run        Run the job once and load the clean rows into the warehouse (see cti-etl run --help).
  sql        Query the warehouse (read-only), e.g. cti-etl sql "SELECT count(*) FROM public.cti_records".
  status     The last runs from the run ledger: their trend (sparklines of rows read and of the
             rejected ratio), then when, input, counts, loaded, duration, outcome.
  plan       Cut an input prefix into shards for a fanned-out run (see cti-etl plan --help).
  shard      Transform one shard of a planned run (see cti-etl shard --help).
  commit     Check a planned run's shards and load them, exactly once (see cti-etl commit --help).

Exit codes:
  0  success
  2  bad usage, or bad input that stops the run (missing input, unreadable file, bad header,
     a damaged run plan: BAD_PLAN), a statement the warehouse refused (cti-etl sql: QUERY_FAILED), or the embedded
     warehouse held by another cti-etl past --lock-wait (WAREHOUSE_LOCKED)
  1  any other failure

${ENVIRONMENT_SECTION}`;

export const RUN_HELP = `Usage: cti-etl run --input <path|s3://…> --output <dir|s3://…> [options]

Reads a CSV with a header naming Key and Data (any case, any order; gzip detected from the
bytes), trims and lowercases both fields, rejects invalid rows with a reason, drops
duplicates (first occurrence wins), and publishes under <output>/<runId>/:
  clean/part-NNNNN.csv.zst    clean rows, header key,data (.csv.gz with gzip, .csv with none)
  rejected/part-NNNNN.csv.zst rejected rows, header line,key,data,reason
  manifest.json               Redshift COPY manifest of the clean parts
  summary.json                counts, inputs (bytes, sha256), times
The folder appears only once the run is complete. Then the clean rows are loaded into the
warehouse, exactly once (a rerun of the same input loads nothing and names the run that
did), and load.json records the outcome.

On a terminal, stderr shows a progress bar per stage (transform: rows, rows/s, percent of
input bytes, ETA; load: parts staged, rows inserted), one line per finished stage with its
time, warnings and errors as short lines, and a readable summary (what was read, clean,
rejected, loaded where, and the run's wall time); stdout gets nothing. Otherwise stderr holds
one JSON object per line (the CloudWatch EMF metric documents among them) and the summary,
with loaded and alreadyPresent, is the last line of stdout, as one line of JSON.

Options:
  -i, --input <path|uri>      CSV file, or a folder whose files are read in name order;
                              s3://bucket/key (one object) or s3://bucket/prefix/ (every
                              object under it, in key order). Default: $CTI_INPUT
  -o, --output <dir|uri>      output root: a folder or s3://bucket/prefix/. Default: $CTI_OUTPUT
      --max-field-bytes <n>   longest accepted field after normalisation, in UTF-8 bytes
                              (default ${RUN_DEFAULTS.maxFieldBytes}, Redshift's VARCHAR limit)
      --part-size <MiB>       uncompressed CSV per clean part before a new one starts (default ${RUN_DEFAULTS.partMiB})
      --compression <codec>   codec of the parts: zstd (level 3), gzip or none (default zstd
                              where Node.js has it in node:zlib, 22.15 or later; else gzip)
      --gzip-level <0-9>      with gzip, its level (default ${RUN_DEFAULTS.gzipLevel}); 0 stores the rows
                              uncompressed in gzip framing (--compression none: plain CSV)
      --run-id <id>           run id (default: UTC start time and a random suffix)
      --warehouse <target>    where to load: a PGlite folder, a postgres:// URL, or none
                              (default: Redshift when CTI_REDSHIFT_WORKGROUP or
                              CTI_REDSHIFT_CLUSTER is set, else $CTI_WAREHOUSE, else
                              ${DEFAULT_EMBEDDED_WAREHOUSE})
      --table <name>          target table (default $CTI_TABLE or ${DEFAULT_TABLE})
      --lock-wait <seconds>   one command at a time opens an embedded warehouse folder: wait this
                              long for another to finish, then exit 2 naming it (WAREHOUSE_LOCKED)
                              (default $CTI_WAREHOUSE_LOCK_WAIT_SECONDS or ${DEFAULT_LOCK_WAIT_SECONDS})
      --workers <n>           threads that parse and validate, the main thread included;
                              1 = the main thread alone, no worker thread (default: the CPUs the task has, from the ECS task
                              limits, the cgroup or the host; at least 2)
      --memory-budget <MiB>   memory the dedup set may use before it spills to local disk
                              (default: ${MEMORY_BUDGET_SHARE * 100}% of the memory limit less ${BASE_RESERVE_BYTES / MiB} MiB and ${PER_WORKER_RESERVE_BYTES / MiB} MiB
                              per thread past the first)
      --slices <n>            make the clean part count a multiple of n, e.g. the
                              Redshift cluster's slice count (default 1)
      --progress              always show progress on stderr (plain lines when stderr is
                              not a terminal)
      --no-progress           never show progress (default: shown when stderr is a terminal
                              and the log format is pretty)
      --log-format <format>   json (one JSON object per line, with the EMF metric documents),
                              pretty (short readable lines), or auto: pretty when stderr is a
                              terminal, else json (default $CTI_LOG_FORMAT, else auto)
      --json                  print the JSON summary as the last line of stdout even on a
                              terminal (default: only when stdout is not a terminal)
  -h, --help                  this help

${ENVIRONMENT_SECTION}`;

/** Why sql and status wait for a run: PGlite cannot open a folder another process has open. */
const LOCK_WAIT_NOTE = `
An embedded (PGlite) warehouse is opened by one cti-etl at a time, even to read: while a
run holds it, this waits up to --lock-wait seconds (default $CTI_WAREHOUSE_LOCK_WAIT_SECONDS
or ${DEFAULT_LOCK_WAIT_SECONDS}), saying who holds it, then exits 2 naming the holder.
`;

export const SQL_HELP = `Usage: cti-etl sql [--warehouse <dir|postgres://…>] [--json] [--lock-wait <s>] "<statement>"

Runs one read-only statement on the warehouse the job loads into (same selection as
cti-etl run: Redshift when configured, else $CTI_WAREHOUSE, else ${DEFAULT_EMBEDDED_WAREHOUSE}) and
prints the rows as a table, or as one JSON object per line with --json. A statement the
warehouse refuses exits 2 (QUERY_FAILED) with its message and SQLSTATE.
${LOCK_WAIT_NOTE}`;

export const PLAN_HELP = `Usage: cti-etl plan --input <path|s3://…> --output <dir|s3://…> [--run-id <id>] [--shard-bytes N]

Plans a run fanned out over many tasks: lists the input (a folder or an S3 prefix) in key order,
pins every object's ETag, and cuts the objects into contiguous shards of whole objects (gzip
cannot be split) of about --shard-bytes each (default ${DEFAULT_SHARD_BYTES}, 2 GiB), balanced: each
shard within the largest object's size of the mean. Writes <output>/<runId>/plan.jsonl, one
shard a line, once: a plan already there for this run id is the run's input contract and is
reused as it is. Prints the plan's URI and counts as one JSON line on stdout.

Options:
  -i, --input <path|s3://…>    Folder, file, or S3 prefix to plan (default: $CTI_INPUT)
  -o, --output <dir|s3://…>    Where the run's files go (default: $CTI_OUTPUT)
      --run-id <id>            The run's id (default: a new one, e.g. 20261206T090000Z-1a2b3c)
      --shard-bytes <n>        Byte target of a shard (${2 ** 20} to ${2 ** 50}; default $CTI_SHARD_BYTES)
  -h, --help                   Show this help
`;

export const SHARD_HELP = `Usage: cti-etl shard --plan <uri> --index K [transform options]

Transforms shard K of a planned run (cti-etl plan): exactly the objects its plan line names, S3
objects read pinned to their planned ETags, into <run>/shards/<K, 5 digits>/ beside the plan,
then publishes its summary there, once. A shard already published is checked against the plan
and not run again (exit 0); an attempt that loses a race to publish discards its output and
reports the winner's. Prints the outcome and the shard's summary as one JSON line on stdout.

Options:
      --plan <uri>             The run's plan.jsonl (s3://…, file://… or a path)
      --index <K>              The shard, 0 to the plan's shard count - 1
      --max-field-bytes, --part-size, --compression, --gzip-level, --workers,
      --memory-budget, --slices   As for cti-etl run (and the same variables)
  -h, --help                   Show this help
`;

export const COMMIT_HELP = `Usage: cti-etl commit --plan <uri> [--warehouse <dir|postgres://…>] [--table <name>] [--lock-wait <s>] [--json]

Ends a planned run (cti-etl plan, then cti-etl shard for every shard): checks that every shard
published exactly the objects of its plan line, writes the run's COPY manifest (every shard's
clean parts) and summary beside the plan, then loads the clean rows in one transaction, exactly
once (the ledger, keyed by the same input fingerprint a single run over the same objects has).
Rows kept by more than one shard are inserted once and counted as duplicates in the ledger. A
shard not yet published: exit 1 (SHARDS_INCOMPLETE), nothing loaded. Safe to run again.
${LOCK_WAIT_NOTE}`;

export const STATUS_HELP = `Usage: cti-etl status [--limit N] [--warehouse <dir|postgres://…>] [--table <name>] [--lock-wait <s>]

Prints the last N runs (default 10) recorded in the run ledger of the warehouse the job
loads into: first their trend at a glance, oldest to newest (sparklines of the rows read and
of the rejected ratio, with the lowest, highest and latest value), then a table of when each
ran, its input, counts, rows loaded, duration and outcome.
${LOCK_WAIT_NOTE}`;

/** A flag's value checked by the type its variable has (`--workers` as `CTI_WORKERS`), else `fallback`. */
function flag<T, F>(name: string, value: (raw: unknown) => T | type.errors, raw: string | undefined, fallback: F): T | F {
  return raw === undefined ? fallback : parseFlagValue(`--${name}`, value, raw);
}

const mebibytes = (n: number | undefined) => (n === undefined ? undefined : n * 1024 * 1024);

/**
 * Parses the command line (without `node` and the script), the environment's values (already
 * parsed by config/environment.ts) standing in for the flags not given; `zlib`, what this
 * runtime's node:zlib can do, decides the default codec.
 * @throws EtlError USAGE with a message naming the option.
 */
export function parseCommand(argv: readonly string[], env: ParsedEnvironment = {}, zlib: ZlibCapabilities = zlibCapabilities()): Command {
  // A deployed task starts with no arguments and is configured by CTI_INPUT/CTI_OUTPUT.
  if (argv.length === 0 && env.CTI_INPUT !== undefined) argv = ["run"];
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") return { command: "help", topic: "main" };
  if (isVersionRequest(argv)) return { command: "version" };
  if (first === "sql") return parseSql(rest, env);
  if (first === "status") return parseStatus(rest, env);
  if (first === "plan") return parsePlanCommand(rest, env);
  if (first === "shard") return parseShardCommand(rest, env, zlib);
  if (first === "commit") return parseCommitCommand(rest, env);
  if (first !== "run") throw new EtlError("USAGE", `unknown command ${JSON.stringify(first)}; see cti-etl --help`);
  const { values } = commandArgs(
    "run",
    rest,
    {
      input: { type: "string", short: "i" },
      output: { type: "string", short: "o" },
      ...TRANSFORM_OPTIONS,
      "run-id": { type: "string" },
      progress: { type: "boolean" },
      "log-format": { type: "string" },
      json: { type: "boolean" },
      warehouse: { type: "string" },
      table: { type: "string" },
      "lock-wait": { type: "string" },
    },
    { allowNegative: true },
  );
  if (values.help) return { command: "help", topic: "run" };
  const { input, output } = inputAndOutput(values, env, "run");
  const runId = checkedRunId(values["run-id"]);
  return {
    command: "run",
    input,
    output,
    ...transformSettings(values, env, zlib),
    runId,
    progress: values.progress,
    logFormat: flag("log-format", settingValue.logFormat, values["log-format"], undefined),
    json: values.json ?? false,
    warehouse: values.warehouse,
    table: values.table,
    lockWaitSeconds: lockWait(values["lock-wait"], env),
  };
}

/** The transform's options, the same for `run` and `shard`. */
const TRANSFORM_OPTIONS = {
  "max-field-bytes": { type: "string" },
  "part-size": { type: "string" },
  compression: { type: "string" },
  "gzip-level": { type: "string" },
  workers: { type: "string" },
  "memory-budget": { type: "string" },
  slices: { type: "string" },
} as const;

/** What the transform is told: by its flags, else the environment's values, else the defaults. */
export type TransformSettings = Pick<RunCommand, "maxFieldBytes" | "partBytes" | "compression" | "gzipLevel" | "workers" | "memoryBudgetBytes" | "sliceCount">;

function transformSettings(values: { [K in keyof typeof TRANSFORM_OPTIONS]?: string | undefined }, env: ParsedEnvironment, zlib: ZlibCapabilities): TransformSettings {
  return {
    maxFieldBytes: flag("max-field-bytes", settingValue.maxFieldBytes, values["max-field-bytes"], env.CTI_MAX_FIELD_BYTES ?? RUN_DEFAULTS.maxFieldBytes),
    partBytes: flag("part-size", settingValue.partMiB, values["part-size"], RUN_DEFAULTS.partMiB) * 1024 * 1024,
    compression: chooseCompression(flag("compression", settingValue.compression, values.compression, env.CTI_COMPRESSION), zlib),
    gzipLevel: flag("gzip-level", settingValue.gzipLevel, values["gzip-level"], RUN_DEFAULTS.gzipLevel),
    workers: flag("workers", settingValue.workers, values.workers, env.CTI_WORKERS),
    memoryBudgetBytes: mebibytes(flag("memory-budget", settingValue.memoryBudgetMiB, values["memory-budget"], env.CTI_MEMORY_BUDGET_MIB)),
    sliceCount: flag("slices", settingValue.slices, values.slices, env.CTI_SLICES ?? 1),
  };
}

function parseShardCommand(args: readonly string[], env: ParsedEnvironment, zlib: ZlibCapabilities): Command {
  const { values } = commandArgs("shard", args, { plan: { type: "string" }, index: { type: "string" }, json: { type: "boolean" }, ...TRANSFORM_OPTIONS });
  if (values.help) return { command: "help", topic: "shard" };
  if (!values.plan) throw new EtlError("USAGE", "--plan is required; see cti-etl shard --help");
  if (values.index === undefined) throw new EtlError("USAGE", "--index is required; see cti-etl shard --help");
  return {
    command: "shard",
    plan: values.plan,
    index: parseFlagValue("--index", settingValue.shardIndex, values.index),
    json: values.json ?? false,
    ...transformSettings(values, env, zlib),
  };
}

function parseCommitCommand(args: readonly string[], env: ParsedEnvironment): Command {
  const { values } = commandArgs("commit", args, {
    plan: { type: "string" },
    warehouse: { type: "string" },
    table: { type: "string" },
    "lock-wait": { type: "string" },
    json: { type: "boolean" },
  });
  if (values.help) return { command: "help", topic: "commit" };
  if (!values.plan) throw new EtlError("USAGE", "--plan is required; see cti-etl commit --help");
  return { command: "commit", plan: values.plan, warehouse: values.warehouse, table: values.table, lockWaitSeconds: lockWait(values["lock-wait"], env), json: values.json ?? false };
}

/** `--input` and `--output`, else `CTI_INPUT` and `CTI_OUTPUT`; both required. */
function inputAndOutput(values: { input?: string | undefined; output?: string | undefined }, env: ParsedEnvironment, command: string): { input: string; output: string } {
  const input = values.input ?? env.CTI_INPUT;
  const output = values.output ?? env.CTI_OUTPUT;
  if (!input) throw new EtlError("USAGE", `--input (or CTI_INPUT) is required; see cti-etl ${command} --help`);
  if (!output) throw new EtlError("USAGE", `--output (or CTI_OUTPUT) is required; see cti-etl ${command} --help`);
  return { input, output };
}

function checkedRunId(runId: string | undefined): string | undefined {
  if (runId !== undefined && !RUN_ID_PATTERN.test(runId)) {
    throw new EtlError("USAGE", `--run-id must match ${RUN_ID_PATTERN}, got ${JSON.stringify(runId)}`);
  }
  return runId;
}

function parsePlanCommand(args: readonly string[], env: ParsedEnvironment): Command {
  const { values } = commandArgs("plan", args, {
    input: { type: "string", short: "i" },
    output: { type: "string", short: "o" },
    "run-id": { type: "string" },
    "shard-bytes": { type: "string" },
  });
  if (values.help) return { command: "help", topic: "plan" };
  const { input, output } = inputAndOutput(values, env, "plan");
  return {
    command: "plan",
    input,
    output,
    shardBytes: flag("shard-bytes", settingValue.shardBytes, values["shard-bytes"], env.CTI_SHARD_BYTES ?? DEFAULT_SHARD_BYTES),
    runId: checkedRunId(values["run-id"]),
  };
}

/**
 * `cti-etl <command>`'s arguments by `options` and `-h/--help`, strictly: an unknown option or a
 * missing value is USAGE, pointing at the command's help.
 */
function commandArgs<const O extends Record<string, { type: "string" | "boolean"; short?: string }>>(
  command: string,
  args: readonly string[],
  options: O,
  config: { allowPositionals?: boolean; allowNegative?: boolean } = {},
) {
  try {
    return parseArgs({ args: [...args], strict: true, allowPositionals: config.allowPositionals ?? false, allowNegative: config.allowNegative ?? false, options: { ...options, help: { type: "boolean", short: "h" } } });
  } catch (error) {
    throw new EtlError("USAGE", `${(error as Error).message}; see cti-etl ${command} --help`);
  }
}

/** `--lock-wait`, else `CTI_WAREHOUSE_LOCK_WAIT_SECONDS`, else the default. */
function lockWait(raw: string | undefined, env: ParsedEnvironment): number {
  return flag("lock-wait", settingValue.lockWaitSeconds, raw, env.CTI_WAREHOUSE_LOCK_WAIT_SECONDS ?? DEFAULT_LOCK_WAIT_SECONDS);
}

function parseSql(args: readonly string[], env: ParsedEnvironment): Command {
  const parsed = commandArgs("sql", args, { warehouse: { type: "string" }, json: { type: "boolean" }, "lock-wait": { type: "string" } }, { allowPositionals: true });
  if (parsed.values.help) return { command: "help", topic: "sql" };
  if (parsed.positionals.length !== 1) throw new EtlError("USAGE", "cti-etl sql takes exactly one statement, quoted; see cti-etl sql --help");
  return {
    command: "sql",
    statement: parsed.positionals[0]!,
    warehouse: parsed.values.warehouse,
    json: parsed.values.json ?? false,
    lockWaitSeconds: lockWait(parsed.values["lock-wait"], env),
  };
}

function parseStatus(args: readonly string[], env: ParsedEnvironment): Command {
  const { values } = commandArgs("status", args, {
    limit: { type: "string" },
    warehouse: { type: "string" },
    table: { type: "string" },
    "lock-wait": { type: "string" },
  });
  if (values.help) return { command: "help", topic: "status" };
  return {
    command: "status",
    limit: flag("limit", settingValue.statusLimit, values.limit, 10),
    warehouse: values.warehouse,
    table: values.table,
    lockWaitSeconds: lockWait(values["lock-wait"], env),
  };
}
