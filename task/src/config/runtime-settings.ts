import type { S3Settings } from "../s3/s3-client-config.ts";
import type { WarehouseEnv } from "./warehouse-selection.ts";

/** Defaults for `cti-etl run` taken from the environment (how a deployed task is configured). */
export interface RunDefaults {
  input?: string;
  output?: string;
  maxFieldBytes?: string;
  /** `CTI_WORKERS`, as `--workers`. */
  workers?: string;
  /** `CTI_MEMORY_BUDGET_MIB`, as `--memory-budget`. */
  memoryBudgetMiB?: string;
  /** `CTI_SLICES`, as `--slices`. */
  slices?: string;
}

/** Everything the composition root takes from the environment, read once. */
export interface RuntimeSettings {
  s3: S3Settings;
  run: RunDefaults;
  warehouse: WarehouseEnv;
  /** `CTI_DEADLINE_SECONDS`: the run's deadline, when set. */
  deadlineSeconds?: string;
  /** `CTI_LEASE_TTL_SECONDS`: how long the run lease lasts without renewal. */
  leaseTtlSeconds?: string;
}

/**
 * Reads the environment: the standard AWS variables the SDK documents (region, endpoint
 * overrides) and the task's own `CTI_*` variables (see task-environment.ts).
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>): RuntimeSettings {
  const nonEmpty = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);
  const region = nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  const endpoint = nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  const run: RunDefaults = {};
  if (nonEmpty(env.CTI_INPUT)) run.input = env.CTI_INPUT;
  if (nonEmpty(env.CTI_OUTPUT)) run.output = env.CTI_OUTPUT;
  if (nonEmpty(env.CTI_MAX_FIELD_BYTES)) run.maxFieldBytes = env.CTI_MAX_FIELD_BYTES;
  if (nonEmpty(env.CTI_WORKERS)) run.workers = env.CTI_WORKERS;
  if (nonEmpty(env.CTI_MEMORY_BUDGET_MIB)) run.memoryBudgetMiB = env.CTI_MEMORY_BUDGET_MIB;
  if (nonEmpty(env.CTI_SLICES)) run.slices = env.CTI_SLICES;
  const warehouse: WarehouseEnv = {};
  const pick = (key: keyof WarehouseEnv, name: string) => {
    const v = nonEmpty(env[name]);
    if (v !== undefined) warehouse[key] = v;
  };
  pick("workgroup", "CTI_REDSHIFT_WORKGROUP");
  pick("cluster", "CTI_REDSHIFT_CLUSTER");
  pick("dbUser", "CTI_REDSHIFT_DB_USER");
  pick("secretArn", "CTI_REDSHIFT_SECRET_ARN");
  pick("database", "CTI_REDSHIFT_DATABASE");
  pick("copyRoleArn", "CTI_REDSHIFT_COPY_ROLE_ARN");
  pick("warehouse", "CTI_WAREHOUSE");
  pick("table", "CTI_TABLE");
  const deadline = nonEmpty(env.CTI_DEADLINE_SECONDS);
  const leaseTtl = nonEmpty(env.CTI_LEASE_TTL_SECONDS);
  return {
    s3: { ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}) },
    run,
    warehouse,
    ...(deadline ? { deadlineSeconds: deadline } : {}),
    ...(leaseTtl ? { leaseTtlSeconds: leaseTtl } : {}),
  };
}
