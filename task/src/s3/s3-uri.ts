import { EtlError } from "../errors.ts";

/** A parsed `s3://bucket/key` or `s3://bucket/prefix/`. */
export interface S3Location {
  bucket: string;
  /** Object key, or a prefix ending in `/` (or "" for the whole bucket). */
  key: string;
}

/** S3 bucket naming rules (general purpose buckets). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Whether `uri` names S3 at all. */
export function isS3Uri(uri: string): boolean {
  return uri.startsWith("s3://");
}

/**
 * Parses an S3 URI.
 * @throws EtlError USAGE naming the URI when it is malformed.
 */
export function parseS3Uri(uri: string): S3Location {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri);
  if (!m || !BUCKET.test(m[1]!)) {
    throw new EtlError("USAGE", `not a valid S3 URI (expected s3://bucket/key or s3://bucket/prefix/): ${JSON.stringify(uri)}`);
  }
  return { bucket: m[1]!, key: m[2] ?? "" };
}

/** A prefix names every object under it: it is empty or ends with `/`. */
export function isPrefix(location: S3Location): boolean {
  return location.key === "" || location.key.endsWith("/");
}

export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** Joins a prefix and a relative path into a key. */
export function joinKey(prefix: string, rel: string): string {
  return prefix === "" || prefix.endsWith("/") ? prefix + rel : `${prefix}/${rel}`;
}
