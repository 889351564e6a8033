import type { S3ClientConfig } from "@aws-sdk/client-s3";

/** What the composition root learned from the environment about S3. */
export interface S3Settings {
  /** Region; when unset the SDK's default provider chain decides (AWS_REGION, profile, IMDS). */
  region?: string;
  /** Endpoint override from `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` (MinIO, Ceph, a proxy). */
  endpoint?: string;
  /** Attempts per request, first one included. Default 5. */
  maxAttempts?: number;
}

/**
 * The S3 client's configuration. Credentials always come from the SDK's default provider
 * chain (environment, profile, ECS task role), never from our config.
 *
 * - Retries: the SDK's `standard` mode: exponential backoff with jitter on throttling,
 *   5xx and transient network errors, bounded by a retry quota so a broken endpoint fails
 *   fast instead of retrying forever. `adaptive` adds client-side rate limiting, which
 *   only pays off for many concurrent clients hammering one prefix; a batch job with a
 *   handful of parallel part uploads does not need it.
 *   https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 * - With an endpoint override, path-style addressing (S3-compatible stores rarely have
 *   wildcard DNS for virtual-hosted buckets) and checksums only `WHEN_REQUIRED`: the
 *   default sends streamed bodies as `aws-chunked` with a trailing checksum, which Ceph
 *   radosgw refuses (411) and some other stores save as data. AWS S3 itself keeps the
 *   default (`WHEN_SUPPORTED`), so uploads to AWS carry CRC checksums.
 */
export function s3ClientConfig(settings: S3Settings): S3ClientConfig {
  const overridden = settings.endpoint !== undefined && settings.endpoint !== "";
  return {
    ...(settings.region ? { region: settings.region } : {}),
    retryMode: "standard",
    maxAttempts: settings.maxAttempts ?? 5,
    ...(overridden
      ? {
          endpoint: settings.endpoint,
          forcePathStyle: true,
          requestChecksumCalculation: "WHEN_REQUIRED",
          responseChecksumValidation: "WHEN_REQUIRED",
        }
      : {}),
  };
}
