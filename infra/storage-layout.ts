/**
 * Where things live in the job's one bucket, and how long they stay. Pure data and functions:
 * `storage.ts` renders them into S3 resources, the IAM builders scope permissions by them.
 *
 * - `<inputPrefix>` (config, default `input/`): CSV input, kept (versioned).
 * - `runs/`: the task's output root (`CTI_OUTPUT`). Each run writes `runs/<runId>/…`: the staged
 *   parts Redshift COPYs, rejected rows, the summary and manifest. Expired after
 *   `stagingRetentionDays`.
 */

/** Output root of every run: staged parts, rejected rows, summary, manifest. */
export const outputPrefix = "runs/";

/** The lifecycle filter of a rule for every object in the bucket (see {@link LifecycleRule.filter}). */
export const wholeBucket = { prefix: "" } as const;

/** One S3 lifecycle rule, in the shape of `aws.s3.BucketLifecycleConfiguration` rules. */
export interface LifecycleRule {
  /** Rule id, unique in the bucket. */
  readonly id: string;
  /** Always `Enabled`. */
  readonly status: "Enabled";
  /**
   * Which objects the rule applies to: always a key prefix, `""` for the whole bucket. An empty
   * filter (`{}`) means the same to S3, but the AWS provider warns about it ("No attribute
   * specified when one (and only one) of [...prefix, ...tag, ...and, ...object_size_*] is
   * required", an error in a future version): it wants exactly one predicate.
   * @see https://github.com/hashicorp/terraform-provider-aws/issues/42714
   */
  readonly filter: { readonly prefix: string };
  /** Current versions expire this many days after creation. */
  readonly expiration?: { readonly days?: number; readonly expiredObjectDeleteMarker?: boolean };
  /** Noncurrent versions expire this many days after they become noncurrent. */
  readonly noncurrentVersionExpiration?: { readonly noncurrentDays: number };
  /** Unfinished multipart uploads are aborted after this many days. */
  readonly abortIncompleteMultipartUpload?: { readonly daysAfterInitiation: number };
}

/** Inputs of {@link bucketLifecycleRules}. */
export interface LifecycleArgs {
  /** Output root prefix whose objects expire, e.g. `runs/`. */
  readonly outputPrefix: string;
  /** Days before run output expires. */
  readonly stagingRetentionDays: number;
  /** Days before a noncurrent version expires. */
  readonly noncurrentVersionRetentionDays: number;
}

/**
 * The bucket's lifecycle: run output (staging) expires, old versions expire, leftover delete
 * markers are removed, and multipart uploads a crashed run left behind are aborted after a day.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html
 */
export function bucketLifecycleRules(args: LifecycleArgs): LifecycleRule[] {
  return [
    {
      id: "expire-staging",
      status: "Enabled",
      filter: { prefix: args.outputPrefix },
      expiration: { days: args.stagingRetentionDays },
    },
    {
      id: "expire-noncurrent-versions",
      status: "Enabled",
      filter: wholeBucket,
      noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionRetentionDays },
    },
    {
      id: "remove-expired-delete-markers",
      status: "Enabled",
      filter: wholeBucket,
      expiration: { expiredObjectDeleteMarker: true },
    },
    {
      id: "abort-incomplete-multipart-uploads",
      status: "Enabled",
      filter: wholeBucket,
      abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    },
  ];
}

/** `s3://<bucket>/<prefix>`: the URI form the task's environment takes. */
export function s3Uri(bucket: string, prefix: string): string {
  return `s3://${bucket}/${prefix}`;
}

/** `arn:<partition>:s3:::<bucket>/<prefix>*`: every object under a prefix. */
export function objectsUnder(bucketArn: string, prefix: string): string {
  return `${bucketArn}/${prefix}*`;
}
