import { parseArgs } from "node:util";
import { EtlError } from "../errors.ts";
import { REDSHIFT_MAX_VARCHAR_BYTES } from "../record/record-schema.ts";
import { RUN_ID_PATTERN } from "../run-id.ts";
import type { RunDefaults } from "../config/runtime-settings.ts";

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
}

export type Command = RunCommand | { command: "help"; topic: "main" | "run" } | { command: "version" };

export const MAIN_HELP = `cti-etl: validate, normalise and dedup a Key,Data CSV, then publish clean and rejected rows.

Usage:
  cti-etl run --input <path|s3://…> --output <dir|s3://…> [options]
  cti-etl --help | run --help | --version

Commands:
  run        Run the job once (see cti-etl run --help).

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
The folder appears only once the run is complete. The summary is also the last line of
stdout, as one line of JSON.

Options:
  -i, --input <path|uri>      CSV file, or a folder whose files are read in name order;
                              s3://bucket/key (one object) or s3://bucket/prefix/ (every
                              object under it, in key order). Default: $CTI_INPUT
  -o, --output <dir|uri>      output root: a folder or s3://bucket/prefix/. Default: $CTI_OUTPUT
      --max-field-bytes <n>   longest accepted field after normalisation, in UTF-8 bytes
                              (default ${RUN_DEFAULTS.maxFieldBytes}, Redshift's VARCHAR limit)
      --part-size <MiB>       uncompressed CSV per clean part before a new one starts (default ${RUN_DEFAULTS.partMiB})
      --gzip-level <1-9>      gzip level of the parts (default ${RUN_DEFAULTS.gzipLevel})
      --run-id <id>           run id (default: UTC start time and a random suffix)
      --progress              always show progress on stderr
      --no-progress           never show progress (default: shown when stderr is a terminal)
  -h, --help                  this help

Environment:
  CTI_INPUT, CTI_OUTPUT, CTI_MAX_FIELD_BYTES   defaults for the options above; with
                              CTI_INPUT set, cti-etl with no arguments runs the job
  AWS_REGION, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS_PROFILE, AWS_ACCESS_KEY_ID…
                              the AWS SDK's standard settings; credentials come from the
                              default provider chain (on ECS: the task role)
`;

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new EtlError("USAGE", `--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
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
    maxFieldBytes: integer("max-field-bytes", values["max-field-bytes"] ?? defaults.maxFieldBytes, RUN_DEFAULTS.maxFieldBytes, 1, 1 << 30),
    partBytes: integer("part-size", values["part-size"], RUN_DEFAULTS.partMiB, 1, 1 << 14) * 1024 * 1024,
    gzipLevel: integer("gzip-level", values["gzip-level"], RUN_DEFAULTS.gzipLevel, 1, 9),
    runId,
    progress: values.progress,
  };
}
