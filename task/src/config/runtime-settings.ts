import type { S3Settings } from "../s3/s3-client-config.ts";

/** Defaults for `cti-etl run` taken from the environment (how a deployed task is configured). */
export interface RunDefaults {
  input?: string;
  output?: string;
  maxFieldBytes?: string;
}

/** Everything the composition root takes from the environment, read once. */
export interface RuntimeSettings {
  s3: S3Settings;
  run: RunDefaults;
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
  return {
    s3: { ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}) },
    run,
  };
}
