import { type } from "arktype";

/**
 * The environment a deployed task (Fargate, or `aws ecs run-task`) is configured by.
 * `infra/` builds the task definition's `environment` from this schema's keys and a test
 * checks the two agree, so the container can never be started without what it needs.
 * Only the composition root (`task/src/main.ts`) reads `process.env`.
 */
export const redshiftTaskEnvironment = type({
  /** Input: `s3://bucket/key` (one object) or `s3://bucket/prefix/` (every object under it). */
  CTI_INPUT: /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/,
  /** Output root: `s3://bucket/prefix/`; each run publishes under `<prefix><runId>/`. */
  CTI_OUTPUT: /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/(.*\/)?$/,
  /** Target table, optionally schema-qualified, e.g. `public.cti_records`. */
  CTI_TABLE: /^[a-z_][a-z0-9_$]{0,126}(\.[a-z_][a-z0-9_$]{0,126})?$/,
  /** Redshift Serverless workgroup the Data API runs statements on. */
  CTI_REDSHIFT_WORKGROUP: "string > 0",
  /** Database inside the workgroup's namespace. */
  CTI_REDSHIFT_DATABASE: "string > 0",
  /** IAM role Redshift assumes to read the staged parts for COPY. */
  CTI_REDSHIFT_COPY_ROLE_ARN: /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
  /** Largest accepted field, in UTF-8 bytes. Default 65535 (Redshift's VARCHAR limit). */
  "CTI_MAX_FIELD_BYTES?": "string.integer",
  /** Run deadline in seconds; past it the job cancels what is in flight and exits 1. */
  "CTI_DEADLINE_SECONDS?": "string.integer",
  /** Threads that transform (default: the task's vCPUs, at least 2). */
  "CTI_WORKERS?": "string.integer",
  /** MiB the dedup set may hold before it spills to /tmp (default: from the task's memory). */
  "CTI_MEMORY_BUDGET_MIB?": "string.integer",
  /** The clean part count is a multiple of this, e.g. the cluster's slice count (default 1). */
  "CTI_SLICES?": "string.integer",
});

/** Keys a deployed task must be given (the schema's required properties). */
export function requiredEnvironmentKeys(schema: { props: readonly { key: PropertyKey; kind: string }[] }): string[] {
  return schema.props.filter((p) => p.kind === "required").map((p) => String(p.key));
}
