/**
 * Which Redshift the Data API talks to, and as whom: the request fields every call carries,
 * from the Redshift warehouse config. No passwords: the IAM identity of the task, or a
 * Secrets Manager secret ARN.
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/data-api-access.html
 */
import { EtlError } from "../errors.ts";
import type { PollBackoff } from "./poll-backoff.ts";

/** The Redshift warehouse. Exactly one of `workgroupName` and `clusterIdentifier`. */
export interface RedshiftWarehouseConfig {
  /** Redshift Serverless workgroup, e.g. `cti-etl`. Credentials come from the IAM identity (redshift-serverless:GetCredentials) or `secretArn`. */
  workgroupName?: string;
  /** Provisioned cluster identifier, e.g. `cti-etl-cluster`. Credentials: `dbUser`, `secretArn`, or neither for the IAM identity. */
  clusterIdentifier?: string;
  /** Cluster only: database user for temporary credentials (redshift:GetClusterCredentials), e.g. `etl_loader`. */
  dbUser?: string;
  /** Secrets Manager ARN of the database credentials, e.g. `arn:aws:secretsmanager:eu-west-1:123456789012:secret:cti-etl-AbCdEf`. */
  secretArn?: string;
  /** Database name, e.g. `dev`. */
  database: string;
  /** IAM role Redshift assumes for COPY from S3, e.g. `arn:aws:iam::123456789012:role/cti-etl-copy`. */
  copyRoleArn: string;
  /** First DescribeStatement wait's ceiling, ms. Default 200. */
  pollInitialMs?: number;
  /** Longest DescribeStatement wait, ms. Default 5000. */
  pollMaxMs?: number;
  /** Longest a load may take, ms, from its start; past it the running statement is cancelled and the load fails with DEADLINE_EXCEEDED. Default 3,600,000 (1 h). */
  deadlineMs?: number;
}

/** Default {@link RedshiftWarehouseConfig.deadlineMs}: 1 hour. */
export const DEFAULT_LOAD_DEADLINE_MS = 3_600_000;

/** The target and identity fields of every Data API request. */
export interface DataApiTarget {
  WorkgroupName?: string;
  ClusterIdentifier?: string;
  DbUser?: string;
  SecretArn?: string;
  Database: string;
}

/**
 * The request fields for `config`.
 * @throws EtlError USAGE for a config the Data API would refuse: neither or both of workgroup and
 *   cluster, a DbUser with a workgroup (serverless derives the user from the IAM identity), both
 *   DbUser and a secret, or no database.
 */
export function dataApiTarget(config: RedshiftWarehouseConfig): DataApiTarget {
  const { workgroupName, clusterIdentifier, dbUser, secretArn, database } = config;
  const usage = (message: string) => new EtlError("USAGE", `Redshift warehouse: ${message}`);
  if (!database) throw usage("a database is required");
  if (!workgroupName === !clusterIdentifier) throw usage("set exactly one of a Serverless workgroup name and a cluster identifier");
  if (workgroupName && dbUser) throw usage("a database user applies to a provisioned cluster only; Serverless uses the IAM identity or a secret");
  if (dbUser && secretArn) throw usage("set a database user or a secret ARN, not both");
  return {
    ...(workgroupName ? { WorkgroupName: workgroupName } : { ClusterIdentifier: clusterIdentifier! }),
    ...(dbUser ? { DbUser: dbUser } : {}),
    ...(secretArn ? { SecretArn: secretArn } : {}),
    Database: database,
  };
}

/** The polling backoff of `config`, with defaults. */
export function configuredBackoff(config: RedshiftWarehouseConfig, defaults: PollBackoff): PollBackoff {
  const initialMs = config.pollInitialMs ?? defaults.initialMs;
  return { initialMs, maxMs: config.pollMaxMs ?? Math.max(defaults.maxMs, initialMs) };
}
