import type { S3TestEndpoint } from "./s3-server.ts";

/**
 * A child process environment as a deployed task has it: nothing inherited but PATH and
 * HOME, AWS credentials and region from the environment, and the SDK's standard endpoint
 * override pointing S3 at the local server. Callers add the task's CTI_* variables.
 */
export function localAwsEnv(ep: S3TestEndpoint, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_REGION: ep.region,
    AWS_ACCESS_KEY_ID: ep.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ep.secretAccessKey,
    AWS_ENDPOINT_URL_S3: ep.endpoint,
    // Never fall back to an instance metadata service for credentials.
    AWS_EC2_METADATA_DISABLED: "true",
    ...extra,
  };
}
