import { environmentSchema } from "./environment.ts";

/**
 * The environment a deployed task (Fargate, or `aws ecs run-task`) is configured by: the job's
 * own schema (environment.ts), with what a deployed task must have made required and narrowed
 * to what infra/ gives it (S3 URIs, a table name, a role ARN). `infra/` builds the task
 * definition's `environment` from this schema's required keys and a test checks the two agree,
 * so the container can never be started without what it needs. Only the composition root
 * (`task/src/main.ts`) reads `process.env`.
 */
export const redshiftTaskEnvironment = environmentSchema.and({
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
});

/** Keys a deployed task must be given (the schema's required properties). */
export function requiredEnvironmentKeys(schema: { props: readonly { key: PropertyKey; kind: string }[] }): string[] {
  return schema.props.filter((p) => p.kind === "required").map((p) => String(p.key));
}

