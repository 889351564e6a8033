/**
 * The Redshift COPY that stages a run's clean parts: exactly the files of the run's manifest,
 * every row or none.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html
 */
import { EtlError } from "../errors.ts";
import { copyCompressionOption, type Compression } from "../sinks/codec.ts";
import { quoteIdentifier, quoteLiteral } from "./sql-quote.ts";
import { sqlTableName, type TableName } from "./table-names.ts";

/** An IAM role ARN (any partition), e.g. `arn:aws:iam::123456789012:role/cti-etl-copy`. */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** `s3://bucket/key`. */
const S3_URL = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+$/;

/** Where the COPY reads and as whom. */
export interface RedshiftCopySource {
  /** The run's manifest, `s3://bucket/…/manifest.json`. */
  manifestUrl: string;
  /** Role Redshift assumes to read the parts, e.g. `arn:aws:iam::123456789012:role/cti-etl-copy`. */
  copyRoleArn: string;
  /** The parts' codec (sinks/codec.ts). Default gzip. */
  compression?: Compression;
}

/**
 * `COPY <stage> ("key", "data") FROM '<manifest>' IAM_ROLE '<arn>' …`, with each option chosen so
 * the load is exact:
 * - `("key", "data")`: an explicit column list, so the file's columns map by position to
 *   these two and nothing else.
 * - `FORMAT AS CSV`, `IGNOREHEADER 1`: RFC 4180 parts, each with a `key,data` header line.
 *   @see https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-format.html
 * - `GZIP`, `ZSTD` or neither: the parts' codec.
 *   @see https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-file-compression.html
 * - `MANIFEST`: load exactly the manifest's entries (all `mandatory`, with `content_length`), never
 *   whatever else shares the prefix, and fail if one is missing.
 *   @see https://docs.aws.amazon.com/redshift/latest/dg/loading-data-files-using-manifest.html
 * - `ENCODING UTF8`, and no `ACCEPTINVCHARS`: invalid UTF-8 fails the load instead of being
 *   replaced.
 * - `MAXERROR 0`: the first bad row fails the whole COPY (and so the transaction), rather than
 *   being skipped into STL_LOAD_ERRORS.
 *   @see https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-load.html
 * - No `EMPTYASNULL`/`BLANKSASNULL`/`TRIMBLANKS`/`TRUNCATECOLUMNS`/`FILLRECORD`/`IGNOREBLANKLINES`:
 *   values load exactly as written; a too-long value or a short row fails (the stage's
 *   columns are NOT NULL).
 *   @see https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-conversion.html
 * - `COMPUPDATE OFF`, `STATUPDATE OFF`: a temporary stage needs no compression analysis or
 *   statistics; they only slow the load.
 * @throws EtlError USAGE when the manifest is not an S3 URL or the role not an IAM role ARN.
 */
export function redshiftCopySql(stage: TableName, source: RedshiftCopySource): string {
  if (!S3_URL.test(source.manifestUrl)) {
    throw new EtlError("USAGE", `Redshift loads from S3: the run's manifest must be at an s3:// URL, not ${source.manifestUrl}`);
  }
  if (!ROLE_ARN.test(source.copyRoleArn)) {
    throw new EtlError("USAGE", `the COPY role must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), not ${JSON.stringify(source.copyRoleArn)}`);
  }
  const compressionOption = copyCompressionOption(source.compression ?? "gzip");
  return [
    `COPY ${sqlTableName(stage)} (${quoteIdentifier("key")}, ${quoteIdentifier("data")})`,
    `FROM ${quoteLiteral("redshift", source.manifestUrl)}`,
    `IAM_ROLE ${quoteLiteral("redshift", source.copyRoleArn)}`,
    "FORMAT AS CSV",
    ...(compressionOption ? [compressionOption] : []),
    "MANIFEST",
    "IGNOREHEADER 1",
    "ENCODING UTF8",
    "MAXERROR 0",
    "COMPUPDATE OFF",
    "STATUPDATE OFF",
  ].join("\n");
}
