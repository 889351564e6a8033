/**
 * Where the Postgres warehouse gets a clean part's bytes (Redshift reads its parts itself, from
 * S3): a {@link PartReader} per URL scheme, and gunzip.
 */
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { createGunzip } from "node:zlib";
import type { S3Client } from "@aws-sdk/client-s3";
import { EtlError } from "../errors.ts";

/** Streams the (gzip) bytes of the part at `url`. */
export type PartReader = (url: string) => AsyncIterable<Uint8Array>;

/** Reads `file://` URLs from the local disk. */
export const fileUrlPartReader: PartReader = (url) => {
  if (!url.startsWith("file://")) {
    throw new EtlError("USAGE", `cannot read clean part ${url}: only file:// parts can be read without an S3 client`);
  }
  return createReadStream(fileURLToPath(url));
};

/** Reads `s3://bucket/key` URLs with GetObject (the task role's s3:GetObject on its output). */
export function s3PartReader(client: Pick<S3Client, "send">): PartReader {
  return async function* (url) {
    const m = /^s3:\/\/([^/]+)\/(.+)$/s.exec(url);
    if (!m) throw new EtlError("USAGE", `not an s3:// part URL: ${url}`);
    // Imported here: a local run (file:// parts) never loads the AWS SDK.
    const { GetObjectCommand } = await import("../s3/s3-sdk.ts");
    const object = await client.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
    if (!object.Body) return;
    yield* object.Body as unknown as AsyncIterable<Uint8Array>;
  };
}

/** `file://` from disk, and `s3://` through `s3` when given. */
export function partReaderFor(s3?: Pick<S3Client, "send">): PartReader {
  const fromS3 = s3 ? s3PartReader(s3) : undefined;
  return (url) => (url.startsWith("s3://") && fromS3 ? fromS3(url) : fileUrlPartReader(url));
}

/** Gunzips a byte stream; errors of the source or of the gzip data surface from the iteration. */
export function gunzipped(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Buffer> {
  const gunzip = createGunzip();
  pipeline(chunks, gunzip).catch((error: unknown) => gunzip.destroy(error as Error));
  return gunzip;
}
