import { GetObjectCommand, ListObjectsV2Command, type S3Client, type _Object } from "@aws-sdk/client-s3";
import { EtlError } from "../errors.ts";
import type { InputObject, InputSource } from "./input-source.ts";
import { classifyS3Error } from "../s3/s3-errors.ts";
import { formatS3Uri, isPrefix, type S3Location } from "../s3/s3-uri.ts";

/**
 * Input from S3: one object (`s3://bucket/key`) or every object under a prefix
 * (`s3://bucket/prefix/`), in key order. Listing (rather than HeadObject) is used for both
 * because its errors carry S3's codes (NoSuchBucket, AccessDenied, SignatureDoesNotMatch…),
 * which HEAD responses cannot. Each object is read with one streamed GetObject pinned to the
 * listed ETag (`IfMatch`): if the object is replaced before or while it is read, S3 refuses
 * or the single response still holds one version, never a mix.
 */
export function s3Input(client: S3Client, location: S3Location): InputSource {
  const uri = formatS3Uri(location);
  return {
    async list() {
      const listed = await listObjects(client, location).catch((error: unknown) => {
        throw classifyS3Error(error, uri, "input");
      });
      const objects = isPrefix(location)
        ? listed.filter((o) => !o.Key!.endsWith("/"))
        : listed.filter((o) => o.Key === location.key);
      if (objects.length === 0) {
        throw new EtlError("INPUT_NOT_FOUND", isPrefix(location) ? "no objects under this prefix" : "no such key", { file: uri });
      }
      return objects.map((o) => s3Object(client, location.bucket, o));
    },
  };
}

async function listObjects(client: S3Client, location: S3Location): Promise<_Object[]> {
  const out: _Object[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: location.bucket,
        Prefix: location.key,
        ContinuationToken: token,
        // One object: its key sorts first among keys sharing it as a prefix.
        ...(isPrefix(location) ? {} : { MaxKeys: 1 }),
      }),
    );
    out.push(...(page.Contents ?? []));
    token = isPrefix(location) && page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  // S3 lists in UTF-8 binary key order; S3-compatible stores may not.
  return out.sort((a, b) => Buffer.compare(Buffer.from(a.Key!), Buffer.from(b.Key!)));
}

function s3Object(client: S3Client, bucket: string, listed: _Object): InputObject {
  return s3PinnedObject(client, { bucket, key: listed.Key! }, listed.ETag ?? "", listed.Size ?? 0);
}

/**
 * The object at `location`, read pinned to `etag` (as listed, or as a run's plan recorded it):
 * a replaced object fails the read with INPUT_CHANGED rather than being read as a mix.
 */
export function s3PinnedObject(client: S3Client, location: S3Location, etag: string, size: number): InputObject {
  const uri = formatS3Uri(location);
  const { bucket, key } = location;
  return {
    uri,
    size,
    etag,
    async *open() {
      try {
        const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(etag ? { IfMatch: etag } : {}) }));
        if (etag && response.ETag && response.ETag !== etag) {
          throw new EtlError("INPUT_CHANGED", `the object changed since it was listed (ETag ${etag} → ${response.ETag}); rerun to read the new version`, { file: uri });
        }
        for await (const chunk of response.Body as AsyncIterable<Uint8Array>) {
          yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        }
      } catch (error) {
        throw classifyS3Error(error, uri, "input");
      }
    },
  };
}
