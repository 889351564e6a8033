import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { tlsOnlyBucketStatements } from "./iam/bucket-policy.ts";
import { renderPolicyDocument } from "./iam/policy-document.ts";
import { bucketLifecycleRules } from "./storage-layout.ts";

/** Arguments of {@link Storage}. */
export interface StorageArgs {
  /** Output root prefix whose objects (staging) expire, e.g. `runs/`. */
  readonly outputPrefix: string;
  /** Days run output is kept. Example: 14. */
  readonly stagingRetentionDays: number;
  /** Days noncurrent versions are kept. Example: 30. */
  readonly noncurrentVersionRetentionDays: number;
}

/**
 * The job's one bucket (input, staging, rejected rows), private and encrypted: public access
 * blocked, ACLs disabled, SSE-S3 by default, versioned, TLS-only, with lifecycle rules that expire
 * staging and old versions. See `storage-layout.ts` for the layout and the rules.
 */
export class Storage extends pulumi.ComponentResource {
  /** Bucket name. */
  readonly bucketName: pulumi.Output<string>;
  /** Bucket ARN. */
  readonly bucketArn: pulumi.Output<string>;

  constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cti-etl:infra:Storage", name, {}, opts);
    const parent = { parent: this };

    const bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy: false }, parent);
    const ownership = disableAcls(name, bucket, parent);
    const publicAccessBlock = blockPublicAccess(name, bucket, parent);
    encryptByDefault(name, bucket, parent);
    const versioning = enableVersioning(name, bucket, parent);
    expireStagingAndOldVersions(name, bucket, args, { ...parent, dependsOn: [versioning] });
    requireTls(name, bucket, { ...parent, dependsOn: [publicAccessBlock, ownership] });

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }
}

/** Object ownership by the bucket owner turns ACLs off entirely. */
function disableAcls(name: string, bucket: aws.s3.Bucket, opts: pulumi.CustomResourceOptions) {
  return new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
}

function blockPublicAccess(name: string, bucket: aws.s3.Bucket, opts: pulumi.CustomResourceOptions) {
  return new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access-block`,
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    opts,
  );
}

/**
 * SSE-S3 rather than a customer key: the task and COPY roles then need no KMS permissions,
 * keeping them to exactly the S3 actions the job calls.
 */
function encryptByDefault(name: string, bucket: aws.s3.Bucket, opts: pulumi.CustomResourceOptions) {
  return new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    opts,
  );
}

function enableVersioning(name: string, bucket: aws.s3.Bucket, opts: pulumi.CustomResourceOptions) {
  return new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, opts);
}

function expireStagingAndOldVersions(name: string, bucket: aws.s3.Bucket, args: StorageArgs, opts: pulumi.CustomResourceOptions) {
  return new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket: bucket.id, rules: bucketLifecycleRules(args) }, opts);
}

function requireTls(name: string, bucket: aws.s3.Bucket, opts: pulumi.CustomResourceOptions) {
  return new aws.s3.BucketPolicy(
    `${name}-tls-only`,
    { bucket: bucket.id, policy: bucket.arn.apply((arn) => renderPolicyDocument(tlsOnlyBucketStatements(arn))) },
    opts,
  );
}
