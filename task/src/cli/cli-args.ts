import { parseArgs } from "node:util";
import { EtlError } from "../errors.ts";
import { REDSHIFT_MAX_VARCHAR_BYTES } from "../record/record-schema.ts";
import { RUN_ID_PATTERN } from "../run-id.ts";
import type { RunDefaults } from "../config/runtime-settings.ts";
import { DEFAULT_EMBEDDED_WAREHOUSE, DEFAULT_TABLE } from "../config/warehouse-selection.ts";

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
  gzipLevel: number;
  runId: string | undefined;
  /** `true`/`false` forces progress on or off; `undefined` shows it when stderr is a terminal. */
  progress: boolean | undefined;
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
}

/** A parsed `cti-etl sql`. */
export interface SqlCommand {
  command: "sql";
  statement: string;
  warehouse: string | undefined;
  /** Print rows as JSON lines instead of a table. */
  json: boolean;
}

/** A parsed `cti-etl status`. */
export interface StatusCommand {
  command: "status";
  limit: number;
  warehouse: string | undefined;
  table: string | undefined;
}

export type Command = RunCommand | SqlCommand | StatusCommand | { command: "help"; topic: "main" | "run" | "sql" | "status" } | { command: "version" };

export const MAIN_HELP = `cti-etl: validate, normalise and dedup a Key,Data CSV, then publish clean and rejected rows.

Usage:
  cti-etl run --input <path|s3://…> --output <dir|s3://…> [options]
  cti-etl sql [--warehouse <dir|postgres://…>] [--json] "SELECT …"
  cti-etl status [--limit N] [--warehouse <dir|postgres://…>] [--table <name>]
  cti-etl --help | run --help | sql --help | status --help | --version

Commands:
  run        Run the job once and load the clean rows into the warehouse (see cti-etl run --help).
  sql        Query the warehouse (read-only), e.g. cti-etl sql "SELECT count(*) FROM public.cti_records".
  status     The last runs from the run ledger: when, input, counts, loaded, duration, outcome.

Exit codes:
  0  success
  2  bad usage, or bad input that stops the run (missing input, unreadable file, bad header)
  1  any other failure
`;

export const RUN_HELP = `Usage: cti-etl run --input <path|s3://…> --output <dir|s3://…> [options]

Reads a CSV with a header naming Key and Data (any case, any order; gzip detected from the
bytes), trims and lowercases both fields, rejects invalid rows with a reason, drops
duplicates (first occurrence wins), and publishes under <output>/<runId>/:
  clean/part-NNNNN.csv.gz     clean rows, header key,data
  rejected/part-NNNNN.csv.gz  rejected rows, header line,key,data,reason
  manifest.json               Redshift COPY manifest of the clean parts
  summary.json                counts, inputs (bytes, sha256), times
The folder appears only once the run is complete. Then the clean rows are loaded into the
warehouse, exactly once (a rerun of the same input loads nothing and names the run that
did), and load.json records the outcome. The summary, with loaded and alreadyPresent, is
the last line of stdout, as one line of JSON.

Options:
  -i, --input <path|uri>      CSV file, or a folder whose files are read in name order;
                              s3://bucket/key (one object) or s3://bucket/prefix/ (every
                              object under it, in key order). Default: $CTI_INPUT
  -o, --output <dir|uri>      output root: a folder or s3://bucket/prefix/. Default: $CTI_OUTPUT
      --max-field-bytes <n>   longest accepted field after normalisation, in UTF-8 bytes
                              (default ${RUN_DEFAULTS.maxFieldBytes}, Redshift's VARCHAR limit)
      --part-size <MiB>       uncompressed CSV per clean part before a new one starts (default ${RUN_DEFAULTS.partMiB})
      --gzip-level <0-9>      gzip level of the parts (default ${RUN_DEFAULTS.gzipLevel}); 0 stores the rows
                              uncompressed in gzip framing: fastest, larger files
      --run-id <id>           run id (default: UTC start time and a random suffix)
      --warehouse <target>    where to load: a PGlite folder, a postgres:// URL, or none
                              (default: Redshift when CTI_REDSHIFT_WORKGROUP or
                              CTI_REDSHIFT_CLUSTER is set, else $CTI_WAREHOUSE, else
                              ${DEFAULT_EMBEDDED_WAREHOUSE})
      --table <name>          target table (default $CTI_TABLE or ${DEFAULT_TABLE})
      --workers <n>           threads that parse and validate, 1 = the simple single-thread
                              path (default: the CPUs the task has, from the ECS task
                              limits, the cgroup or the host; at least 2)
      --memory-budget <MiB>   memory the dedup set may use before it spills to local disk
                              (default: 60% of the memory limit less 256 MiB and 64 MiB
                              per thread past the first)
      --slices <n>            make the clean part count a multiple of n, e.g. the
                              Redshift cluster's slice count (default 1)
      --progress              always show progress on stderr
      --no-progress           never show progress (default: shown when stderr is a terminal)
  -h, --help                  this help

Environment:
  CTI_INPUT, CTI_OUTPUT, CTI_MAX_FIELD_BYTES, CTI_WAREHOUSE, CTI_TABLE,
  CTI_WORKERS, CTI_MEMORY_BUDGET_MIB, CTI_SLICES
                              defaults for the options above; with CTI_INPUT set,
                              cti-etl with no arguments runs the job
  CTI_REDSHIFT_WORKGROUP | CTI_REDSHIFT_CLUSTER, CTI_REDSHIFT_DATABASE,
  CTI_REDSHIFT_COPY_ROLE_ARN, CTI_REDSHIFT_DB_USER, CTI_REDSHIFT_SECRET_ARN
                              load into Redshift through the Data API
  CTI_DEADLINE_SECONDS        fail the run (exit 1) past this many seconds
  AWS_ENDPOINT_URL_REDSHIFT_DATA  endpoint override for the Data API
  AWS_REGION, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS_PROFILE, AWS_ACCESS_KEY_ID…
                              the AWS SDK's standard settings; credentials come from the
                              default provider chain (on ECS: the task role)
`;

export const SQL_HELP = `Usage: cti-etl sql [--warehouse <dir|postgres://…>] [--json] "<statement>"

Runs one read-only statement on the warehouse the job loads into (same selection as
cti-etl run: Redshift when configured, else $CTI_WAREHOUSE, else ${DEFAULT_EMBEDDED_WAREHOUSE}) and
prints the rows as a table, or as one JSON object per line with --json.
`;

export const STATUS_HELP = `Usage: cti-etl status [--limit N] [--warehouse <dir|postgres://…>] [--table <name>]

Prints the last N runs (default 10) recorded in the run ledger of the warehouse the job
loads into: when each ran, its input, counts, rows loaded, duration and outcome.
`;

/** An integer option, `label` naming where the value came from in errors (`--flag` or `CTI_VAR`). */
function integer(label: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new EtlError("USAGE", `${label} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** The flag's value, else the environment variable's: `[label, raw]` for {@link integer}. */
function flagOrEnv(flagValue: string | undefined, flag: string, envValue: string | undefined, env: string): [string, string | undefined] {
  return flagValue !== undefined ? [`--${flag}`, flagValue] : [env, envValue];
}

const mebibytes = (n: number | undefined) => (n === undefined ? undefined : n * 1024 * 1024);

/** An integer option without a default: undefined when it is not given. */
function optionalInteger([label, raw]: [string, string | undefined], min: number, max: number): number | undefined {
  return raw === undefined ? undefined : integer(label, raw, 0, min, max);
}

/**
 * Parses the command line (without `node` and the script).
 * @throws EtlError USAGE with a message naming the option.
 */
export function parseCommand(argv: readonly string[], defaults: RunDefaults = {}): Command {
  // A deployed task starts with no arguments and is configured by CTI_INPUT/CTI_OUTPUT.
  if (argv.length === 0 && defaults.input !== undefined) argv = ["run"];
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") return { command: "help", topic: "main" };
  if (first === "--version") return { command: "version" };
  if (first === "sql") return parseSql(rest);
  if (first === "status") return parseStatus(rest);
  if (first !== "run") throw new EtlError("USAGE", `unknown command ${JSON.stringify(first)}; see cti-etl --help`);
  let values;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: false,
      allowNegative: true,
      options: {
        input: { type: "string", short: "i" },
        output: { type: "string", short: "o" },
        "max-field-bytes": { type: "string" },
        "part-size": { type: "string" },
        "gzip-level": { type: "string" },
        "run-id": { type: "string" },
        progress: { type: "boolean" },
        warehouse: { type: "string" },
        table: { type: "string" },
        workers: { type: "string" },
        "memory-budget": { type: "string" },
        slices: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new EtlError("USAGE", `${(error as Error).message}; see cti-etl run --help`);
  }
  if (values.help) return { command: "help", topic: "run" };
  const input = values.input ?? defaults.input;
  const output = values.output ?? defaults.output;
  if (!input) throw new EtlError("USAGE", "--input (or CTI_INPUT) is required; see cti-etl run --help");
  if (!output) throw new EtlError("USAGE", "--output (or CTI_OUTPUT) is required; see cti-etl run --help");
  const runId = values["run-id"];
  if (runId !== undefined && !RUN_ID_PATTERN.test(runId)) {
    throw new EtlError("USAGE", `--run-id must match ${RUN_ID_PATTERN}, got ${JSON.stringify(runId)}`);
  }
  return {
    command: "run",
    input,
    output,
    maxFieldBytes: integer(...flagOrEnv(values["max-field-bytes"], "max-field-bytes", defaults.maxFieldBytes, "CTI_MAX_FIELD_BYTES"), RUN_DEFAULTS.maxFieldBytes, 1, 1 << 30),
    partBytes: integer("--part-size", values["part-size"], RUN_DEFAULTS.partMiB, 1, 1 << 14) * 1024 * 1024,
    gzipLevel: integer("--gzip-level", values["gzip-level"], RUN_DEFAULTS.gzipLevel, 0, 9),
    runId,
    progress: values.progress,
    warehouse: values.warehouse,
    table: values.table,
    workers: optionalInteger(flagOrEnv(values.workers, "workers", defaults.workers, "CTI_WORKERS"), 1, 256),
    memoryBudgetBytes: mebibytes(optionalInteger(flagOrEnv(values["memory-budget"], "memory-budget", defaults.memoryBudgetMiB, "CTI_MEMORY_BUDGET_MIB"), 16, 1 << 20)),
    sliceCount: integer(...flagOrEnv(values.slices, "slices", defaults.slices, "CTI_SLICES"), 1, 1, 1024),
  };
}

function parseSql(args: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: true,
      options: { warehouse: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    throw new EtlError("USAGE", `${(error as Error).message}; see cti-etl sql --help`);
  }
  if (parsed.values.help) return { command: "help", topic: "sql" };
  if (parsed.positionals.length !== 1) throw new EtlError("USAGE", "cti-etl sql takes exactly one statement, quoted; see cti-etl sql --help");
  return { command: "sql", statement: parsed.positionals[0]!, warehouse: parsed.values.warehouse, json: parsed.values.json ?? false };
}

function parseStatus(args: readonly string[]): Command {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      options: { limit: { type: "string" }, warehouse: { type: "string" }, table: { type: "string" }, help: { type: "boolean", short: "h" } },
    }));
  } catch (error) {
    throw new EtlError("USAGE", `${(error as Error).message}; see cti-etl status --help`);
  }
  if (values.help) return { command: "help", topic: "status" };
  return { command: "status", limit: integer("--limit", values.limit, 10, 1, 1000), warehouse: values.warehouse, table: values.table };
}
