/**
 * The run's settings: the command line and the environment parsed once, by the composition
 * root, into one typed object. The environment's schema is config/environment.ts; a flag wins
 * over the variable that stands for it and is checked by the same type (cli/cli-args.ts).
 */
import { parseCommand, type Command } from "../cli/cli-args.ts";
import { observabilityConfig, type ObservabilityConfig } from "../observability/observability-config.ts";
import type { S3Settings } from "../s3/s3-client-config.ts";
import { zlibCapabilities, type ZlibCapabilities } from "../sinks/codec.ts";
import { DEFAULT_LEASE_TTL_SECONDS, parseEnvironment, type ParsedEnvironment } from "./environment.ts";
import type { WarehouseEnv } from "./warehouse-selection.ts";

/** Everything the composition root takes from the command line and the environment. */
export interface Settings {
  /** What to do, with its options (flags over their variables, defaults filled in). */
  command: Command;
  /** Region and endpoint override for the S3 client. */
  s3: S3Settings;
  /** The warehouse-related variables; `selectWarehouse` decides with the flags. */
  warehouse: WarehouseEnv;
  /** `CTI_DEADLINE_SECONDS`: the run's deadline in seconds; unset: none. */
  deadlineSeconds?: number;
  /**
   * `CTI_LEASE_TTL_SECONDS` in ms: how long the run lease lasts without renewal (renewed every
   * third of it), so also how long a crashed run blocks the next. Default 5 min.
   */
  leaseTtlMs: number;
  /** Logging, metrics, notifications, anomaly check. */
  observability: ObservabilityConfig;
}

/**
 * Parses the command line (without `node` and the script) and the environment. `--help` and
 * `--version` answer even when a variable is wrong; every other command fails first. `zlib`
 * (default: this runtime's) decides the default codec, and whether zstd can be asked for.
 * @throws EtlError USAGE naming every variable at fault, or the flag at fault.
 */
export function parseSettings(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, zlib: ZlibCapabilities = zlibCapabilities()): Settings {
  let parsed: ParsedEnvironment;
  try {
    parsed = parseEnvironment(env);
  } catch (error) {
    const command = helpOrVersion(argv, env.CTI_INPUT?.trim() || undefined);
    if (!command) throw error;
    return settingsFrom(command, {});
  }
  return settingsFrom(parseCommand(argv, parsed, zlib), parsed);
}

/** The command when it is a request for help or the version, which need no environment. */
function helpOrVersion(argv: readonly string[], input: string | undefined): Command | undefined {
  try {
    const command = parseCommand(argv, input === undefined ? {} : { CTI_INPUT: input });
    return command.command === "help" || command.command === "version" ? command : undefined;
  } catch {
    return undefined;
  }
}

function settingsFrom(command: Command, env: ParsedEnvironment): Settings {
  // The AWS SDK's documented precedence: the service-specific endpoint over the global one.
  // https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const warehouse: WarehouseEnv = {
    ...(env.CTI_REDSHIFT_WORKGROUP !== undefined ? { workgroup: env.CTI_REDSHIFT_WORKGROUP } : {}),
    ...(env.CTI_REDSHIFT_CLUSTER !== undefined ? { cluster: env.CTI_REDSHIFT_CLUSTER } : {}),
    ...(env.CTI_REDSHIFT_DB_USER !== undefined ? { dbUser: env.CTI_REDSHIFT_DB_USER } : {}),
    ...(env.CTI_REDSHIFT_SECRET_ARN !== undefined ? { secretArn: env.CTI_REDSHIFT_SECRET_ARN } : {}),
    ...(env.CTI_REDSHIFT_DATABASE !== undefined ? { database: env.CTI_REDSHIFT_DATABASE } : {}),
    ...(env.CTI_REDSHIFT_COPY_ROLE_ARN !== undefined ? { copyRoleArn: env.CTI_REDSHIFT_COPY_ROLE_ARN } : {}),
    ...(env.CTI_WAREHOUSE !== undefined ? { warehouse: env.CTI_WAREHOUSE } : {}),
    ...(env.CTI_TABLE !== undefined ? { table: env.CTI_TABLE } : {}),
  };
  return {
    command,
    s3: { ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}) },
    warehouse,
    ...(env.CTI_DEADLINE_SECONDS !== undefined ? { deadlineSeconds: env.CTI_DEADLINE_SECONDS } : {}),
    leaseTtlMs: (env.CTI_LEASE_TTL_SECONDS ?? DEFAULT_LEASE_TTL_SECONDS) * 1000,
    // `--log-format` stands for CTI_LOG_FORMAT, as every flag for its variable.
    observability: observabilityConfig(command.command === "run" && command.logFormat !== undefined ? { ...env, CTI_LOG_FORMAT: command.logFormat } : env),
  };
}
