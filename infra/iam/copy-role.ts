import { objectsUnder } from "../storage-layout.ts";
import type { PolicyStatement } from "./policy-document.ts";

/** What the COPY role may read. */
export interface CopyRoleScope {
  /** ARN of the job's bucket. */
  readonly bucketArn: string;
  /** The staging prefix: the task's output root, where it stages parts for COPY. */
  readonly stagingPrefix: string;
}

/** S3 actions Redshift's COPY calls on a prefix or manifest. */
export const copyReadActions = { bucket: ["s3:ListBucket"], objects: ["s3:GetObject"] } as const;

/**
 * The role Redshift assumes to run `COPY … IAM_ROLE '<arn>'`: read the staging prefix only.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-access-permissions.html
 */
export function copyRoleStatements(scope: CopyRoleScope): PolicyStatement[] {
  return [
    {
      sid: "ListStaging",
      actions: copyReadActions.bucket,
      resources: [scope.bucketArn],
      conditions: [{ test: "StringLike", variable: "s3:prefix", values: [`${scope.stagingPrefix}*`] }],
    },
    { sid: "ReadStaging", actions: copyReadActions.objects, resources: [objectsUnder(scope.bucketArn, scope.stagingPrefix)] },
  ];
}
