/**
 * The AWS API actions each adapter of the task calls, as IAM action names.
 * `infra/` grants exactly these to the task role, each on the narrowest resource, and a
 * test checks the role grants this list and nothing more.
 */
export const taskIamActions = {
  /** Reading the input: ListObjectsV2 on the input prefix, GetObject/HeadObject on its objects. */
  s3Input: { bucket: ["s3:ListBucket"], objects: ["s3:GetObject"] },
  /** Writing a run's parts (multipart uploads), rejected rows, summary and manifest. */
  s3Output: {
    bucket: ["s3:ListBucket"],
    objects: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
  },
  /**
   * The run lease (`task/src/lease/`), on its one object `<outputPrefix>_lease/lease.json`:
   * GetObject to read it (and for DeleteObject's If-Match), PutObject to take and renew it
   * (conditional writes), DeleteObject to release it.
   */
  s3Lease: { objects: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] },
  /** The Redshift Data API calls of the warehouse adapter. */
  redshiftData: {
    /** Authorised on the workgroup ARN. */
    workgroup: ["redshift-data:BatchExecuteStatement", "redshift-data:ExecuteStatement"],
    /** Not resource-scoped by AWS: limited to the caller's own statements by the service. */
    statements: [
      "redshift-data:DescribeStatement",
      "redshift-data:GetStatementResult",
      "redshift-data:CancelStatement",
    ],
  },
  /** Temporary database credentials for the IAM identity, on the workgroup ARN. */
  redshiftServerless: { workgroup: ["redshift-serverless:GetCredentials"] },
} as const;
