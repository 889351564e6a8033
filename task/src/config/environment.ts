/**
 * Every environment variable cti-etl reads, in one arktype schema: what each may hold, its
 * unit and range, and (in {@link ENVIRONMENT_HELP}) what it means. The composition root parses
 * the environment with it once (config/settings.ts); `--help`'s environment section, the
 * README's configuration table and the deployed task's environment (task-environment.ts,
 * which infra/ builds the task definition from) are all derived from it, so none can drift.
 * The command-line flags that stand for a variable are checked by the same value types
 * ({@link settingValue}), so a flag and its variable accept exactly the same values.
 */
import { type } from "arktype";
import { EtlError } from "../errors.ts";
import { DEFAULT_LOCK_WAIT_SECONDS } from "../load/warehouse-lock-decision.ts";
import { COMPRESSIONS } from "../sinks/codec.ts";

/**
 * A whole number from `min` to `max`, as text (an environment variable or a flag), parsed to a
 * number. `noun` names the unit in errors, e.g. "a whole number of seconds".
 */
function integerText(min: number, max: number, noun = "an integer") {
  return type("string")
    .narrow((text, ctx) => (/^\d+$/.test(text) && Number(text) >= min && Number(text) <= max) || ctx.mustBe(`${noun} from ${min} to ${max}`))
    .pipe((text) => Number(text));
}

const httpUrl = type(/^https?:\/\/[^\s/?#]+([/?#]\S*)?$/).describe("an http:// or https:// URL");

/** Default of `CTI_LEASE_TTL_SECONDS`: 5 minutes. */
export const DEFAULT_LEASE_TTL_SECONDS = 300;

/** Largest run deadline accepted, seconds: 7 days. Node's timers cannot wait much longer (24.8 days). */
export const MAX_DEADLINE_SECONDS = 7 * 24 * 3600;

/**
 * The value types shared by a variable and the flag standing for it (`CTI_WORKERS` and
 * `--workers`), and by the flags that have no variable: one definition of each range.
 */
export const settingValue = {
  /** Largest accepted field after normalisation, UTF-8 bytes. */
  maxFieldBytes: integerText(1, 1 << 30),
  /** Threads that transform, the main thread included. */
  workers: integerText(1, 256),
  /** MiB the dedup set may hold before it spills. */
  memoryBudgetMiB: integerText(16, 1 << 20),
  /** The clean part count is a multiple of this. */
  slices: integerText(1, 1024),
  /** MiB of uncompressed CSV per clean part. */
  partMiB: integerText(1, 1 << 14),
  /** gzip level of the parts. */
  gzipLevel: integerText(0, 9),
  /** Codec of the parts (sinks/codec.ts). */
  compression: type.enumerated(...COMPRESSIONS),
  /** Runs `cti-etl status` lists. */
  statusLimit: integerText(1, 1000),
  /** The run's deadline. */
  deadlineSeconds: integerText(1, MAX_DEADLINE_SECONDS, "a whole number of seconds"),
  /** How the logs on stderr are written: `auto` is readable on a terminal, JSON lines otherwise. */
  logFormat: type.enumerated("auto", "json", "pretty"),
  /** How long the run lease lasts without renewal (renewed every third of it). */
  leaseTtlSeconds: integerText(5, 86_400, "a whole number of seconds"),
  /** How long a command waits for another's lock on the embedded warehouse; 0 tries once. */
  lockWaitSeconds: integerText(0, 86_400, "a whole number of seconds"),
  /** `cti-etl shard`: the shard's position in the plan. */
  shardIndex: integerText(0, 99_999, "a whole number"),
  /** `cti-etl plan`: the byte target of a shard (1 MiB to 1 PiB). */
  shardBytes: integerText(2 ** 20, 2 ** 50, "a whole number of bytes"),
} as const;

/** The schema: every variable is optional here; what a deployed task must have is task-environment.ts's. */
export const environmentSchema = type({
  "CTI_INPUT?": "string",
  "CTI_OUTPUT?": "string",
  "CTI_MAX_FIELD_BYTES?": settingValue.maxFieldBytes,
  "CTI_WORKERS?": settingValue.workers,
  "CTI_MEMORY_BUDGET_MIB?": settingValue.memoryBudgetMiB,
  "CTI_SLICES?": settingValue.slices,
  "CTI_SHARD_BYTES?": settingValue.shardBytes,
  "CTI_COMPRESSION?": settingValue.compression,
  "CTI_WAREHOUSE?": "string",
  "CTI_TABLE?": "string",
  "CTI_WAREHOUSE_LOCK_WAIT_SECONDS?": settingValue.lockWaitSeconds,
  "CTI_REDSHIFT_WORKGROUP?": "string",
  "CTI_REDSHIFT_CLUSTER?": "string",
  "CTI_REDSHIFT_DATABASE?": "string",
  "CTI_REDSHIFT_COPY_ROLE_ARN?": "string",
  "CTI_REDSHIFT_DB_USER?": "string",
  "CTI_REDSHIFT_SECRET_ARN?": "string",
  "CTI_DEADLINE_SECONDS?": settingValue.deadlineSeconds,
  "CTI_LEASE_TTL_SECONDS?": settingValue.leaseTtlSeconds,
  "CTI_JOB_NAME?": type(/^[A-Za-z0-9][A-Za-z0-9_.\/-]{0,127}$/).describe("1–128 letters, digits, _ . / -, starting with a letter or digit"),
  "CTI_LOG_LEVEL?": type.enumerated("debug", "info", "warn", "error"),
  "CTI_LOG_FORMAT?": settingValue.logFormat,
  "CTI_HEARTBEAT_URL?": httpUrl,
  "CTI_PAGERDUTY_ROUTING_KEY?": type(/^\S{1,128}$/).describe("an Events API v2 integration key"),
  "CTI_PAGERDUTY_SEVERITY?": type.enumerated("critical", "error", "warning", "info"),
  "CTI_PAGERDUTY_URL?": httpUrl,
  "CTI_WEBHOOK_URL?": httpUrl,
  "CTI_NOTIFY_TIMEOUT_MS?": integerText(100, 60_000),
  "CTI_NOTIFY_ATTEMPTS?": integerText(1, 10),
  "CTI_ANOMALY_HISTORY_RUNS?": integerText(0, 1000),
  "CTI_ANOMALY_MIN_HISTORY?": integerText(1, 1000),
  "CTI_ANOMALY_MAX_STDDEVS?": type("string.numeric.parse").to("number > 0"),
  "CTI_ANOMALY_MAX_REJECTED_RATIO?": type("string.numeric.parse").to("0 <= number <= 1"),
  "CTI_ANOMALY_ACTION?": type.enumerated("warn", "fail"),
  "ECS_CONTAINER_METADATA_URI_V4?": httpUrl,
  "AWS_REGION?": "string",
  "AWS_DEFAULT_REGION?": "string",
  "AWS_ENDPOINT_URL_S3?": "string",
  "AWS_ENDPOINT_URL?": "string",
});

/** The environment as parsed: numbers where the variable holds one. */
export type ParsedEnvironment = typeof environmentSchema.infer;
/** A variable of the schema. */
export type EnvironmentKey = keyof ParsedEnvironment;

/** Variables holding secrets: inject them from Secrets Manager; never echoed in errors or logs. */
export const SECRET_ENV_KEYS = ["CTI_PAGERDUTY_ROUTING_KEY", "CTI_HEARTBEAT_URL", "CTI_WEBHOOK_URL"] as const satisfies readonly EnvironmentKey[];

/** One variable's line of help: what it sets, its default, and the section it is listed under. */
export interface EnvironmentHelp {
  readonly section: "run" | "warehouse" | "run control" | "observability" | "AWS";
  readonly help: string;
}

/**
 * What each variable means: the source of `--help`'s environment section and the README's
 * table. Typed by the schema, so a variable without help (or help without a variable) does not
 * compile.
 */
export const ENVIRONMENT_HELP: { readonly [K in EnvironmentKey]-?: EnvironmentHelp } = {
  CTI_INPUT: { section: "run", help: "default of --input; when set, cti-etl with no arguments runs the job" },
  CTI_OUTPUT: { section: "run", help: "default of --output" },
  CTI_MAX_FIELD_BYTES: { section: "run", help: "default of --max-field-bytes" },
  CTI_WORKERS: { section: "run", help: "default of --workers" },
  CTI_MEMORY_BUDGET_MIB: { section: "run", help: "default of --memory-budget" },
  CTI_SLICES: { section: "run", help: "default of --slices" },
  CTI_SHARD_BYTES: { section: "run", help: "default of cti-etl plan --shard-bytes" },
  CTI_COMPRESSION: { section: "run", help: "default of --compression" },
  CTI_WAREHOUSE: { section: "warehouse", help: "default of --warehouse when no Redshift is configured" },
  CTI_TABLE: { section: "warehouse", help: "default of --table" },
  CTI_WAREHOUSE_LOCK_WAIT_SECONDS: {
    section: "warehouse",
    help: `default of --lock-wait: seconds a command waits for another holding the embedded warehouse folder, 0–86400 (default ${DEFAULT_LOCK_WAIT_SECONDS})`,
  },
  CTI_REDSHIFT_WORKGROUP: { section: "warehouse", help: "load into this Redshift Serverless workgroup (Data API)" },
  CTI_REDSHIFT_CLUSTER: { section: "warehouse", help: "or into this provisioned cluster" },
  CTI_REDSHIFT_DATABASE: { section: "warehouse", help: "database; required with either" },
  CTI_REDSHIFT_COPY_ROLE_ARN: { section: "warehouse", help: "role Redshift assumes for COPY; required with either" },
  CTI_REDSHIFT_DB_USER: { section: "warehouse", help: "cluster only: temporary credentials for this user" },
  CTI_REDSHIFT_SECRET_ARN: { section: "warehouse", help: "database credentials in Secrets Manager" },
  CTI_DEADLINE_SECONDS: { section: "run control", help: `fail the run (exit 1) past this many seconds, 1–${MAX_DEADLINE_SECONDS} (default: none)` },
  CTI_LEASE_TTL_SECONDS: { section: "run control", help: `S3 outputs: seconds the run lease lasts unrenewed, 5–86400 (default ${DEFAULT_LEASE_TTL_SECONDS})` },
  CTI_JOB_NAME: { section: "observability", help: "metric dimension Job and PagerDuty dedup key (default: ECS task family, else cti-etl)" },
  CTI_LOG_LEVEL: { section: "observability", help: "debug, info, warn or error (default info)" },
  CTI_LOG_FORMAT: { section: "observability", help: "default of --log-format: json, pretty or auto, pretty on a terminal (default auto)" },
  CTI_HEARTBEAT_URL: { section: "observability", help: "secret: GET after each successful run (default off)" },
  CTI_PAGERDUTY_ROUTING_KEY: { section: "observability", help: "secret: Events API v2 key; failed runs page (default off)" },
  CTI_PAGERDUTY_SEVERITY: { section: "observability", help: "critical, error, warning or info (default error)" },
  CTI_PAGERDUTY_URL: { section: "observability", help: "Events API endpoint (default https://events.pagerduty.com/v2/enqueue)" },
  CTI_WEBHOOK_URL: { section: "observability", help: "secret: POST of the run's JSON after every run (default off)" },
  CTI_NOTIFY_TIMEOUT_MS: { section: "observability", help: "per notification attempt, 100–60000 (default 5000)" },
  CTI_NOTIFY_ATTEMPTS: { section: "observability", help: "attempts per notification, 1–10 (default 3)" },
  CTI_ANOMALY_HISTORY_RUNS: { section: "observability", help: "successful runs compared with, 0 (off)–1000 (default 20)" },
  CTI_ANOMALY_MIN_HISTORY: { section: "observability", help: "fewest runs the history rules need, 1–1000 (default 5)" },
  CTI_ANOMALY_MAX_STDDEVS: { section: "observability", help: "standard deviations tolerated (default 3)" },
  CTI_ANOMALY_MAX_REJECTED_RATIO: { section: "observability", help: "0–1, e.g. 0.05 (default: no limit)" },
  CTI_ANOMALY_ACTION: { section: "observability", help: "warn, or fail before the load (default warn)" },
  ECS_CONTAINER_METADATA_URI_V4: { section: "observability", help: "set by ECS: task ARN, family and limits; never set by hand" },
  AWS_REGION: { section: "AWS", help: "region (else AWS_DEFAULT_REGION)" },
  AWS_DEFAULT_REGION: { section: "AWS", help: "region when AWS_REGION is unset" },
  AWS_ENDPOINT_URL_S3: { section: "AWS", help: "S3 endpoint override (else AWS_ENDPOINT_URL)" },
  AWS_ENDPOINT_URL: { section: "AWS", help: "endpoint override for every AWS service" },
};

/** The variables of the schema, in its order. */
export const ENVIRONMENT_KEYS: readonly EnvironmentKey[] = environmentSchema.props.map((p) => String(p.key) as EnvironmentKey);

/**
 * A problem list as one message: `<label> must be … (was "…")` for each, where `label` is the
 * variable, or the flag that stood for it; a secret's value is never shown.
 */
export function describeProblems(errors: type.errors, labels: Readonly<Record<string, string>> = {}): string {
  return [...errors]
    .map((error) => {
      const key = String(error.path[0] ?? "");
      const label = labels[key] ?? key;
      if ((SECRET_ENV_KEYS as readonly string[]).includes(key)) return `${label} is not valid (value not shown)`;
      // A property's message starts with its key; a value's own (a flag's) with "must be".
      if (key === "") return `${label} ${error.message}`;
      return error.message.startsWith(key) ? label + error.message.slice(key.length) : `${label}: ${error.message}`;
    })
    .join("; ");
}

/**
 * The schema's variables that are set to something other than blanks, trimmed. An empty
 * variable means the default, as an unset one does.
 */
export function presentVariables(env: Readonly<Record<string, string | undefined>>): Partial<Record<EnvironmentKey, string>> {
  const present: Partial<Record<EnvironmentKey, string>> = {};
  for (const key of ENVIRONMENT_KEYS) {
    const value = env[key]?.trim();
    if (value) present[key] = value;
  }
  return present;
}

/**
 * Parses the environment: the result, or every variable at fault in one message.
 * @throws EtlError USAGE naming each variable that is wrong (a secret's value is never shown).
 */
export function parseEnvironment(env: Readonly<Record<string, string | undefined>>): ParsedEnvironment {
  const parsed = environmentSchema(presentVariables(env));
  if (parsed instanceof type.errors) throw new EtlError("USAGE", describeProblems(parsed));
  return parsed;
}

/**
 * A flag's value, checked by the same type as its variable.
 * @throws EtlError USAGE naming the flag, e.g. `--workers must be an integer from 1 to 256 (was "0")`.
 */
export function parseFlagValue<T>(flag: string, value: (raw: unknown) => T | type.errors, raw: string): T {
  const parsed = value(raw);
  if (parsed instanceof type.errors) throw new EtlError("USAGE", describeProblems(parsed, { "": flag }));
  return parsed;
}
