import type { PolicyStatement } from "./policy-document.ts";

/** Oldest TLS version the bucket accepts. */
export const minimumTlsVersion = "1.2";

/**
 * The bucket policy: refuse every request that is not over TLS, or is over TLS older than 1.2.
 * Deny statements only; nothing is granted here (access comes from the roles' own policies).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html#transit
 */
export function tlsOnlyBucketStatements(bucketArn: string): PolicyStatement[] {
  const everything = [bucketArn, `${bucketArn}/*`];
  return [
    {
      sid: "DenyInsecureTransport",
      effect: "Deny",
      principal: { type: "*" },
      actions: ["s3:*"],
      resources: everything,
      conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    },
    {
      sid: "DenyOutdatedTls",
      effect: "Deny",
      principal: { type: "*" },
      actions: ["s3:*"],
      resources: everything,
      conditions: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: [minimumTlsVersion] }],
    },
  ];
}
