/**
 * Where the emulated COPY reads S3 objects from: a two-method interface, with adapters for an
 * AWS SDK `S3Client` (a local S3 server, e.g. the radosgw of `test/support/s3-server.ts`) and
 * for an in-memory map (unit and emulator tests that need no S3 server).
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";

export interface S3ObjectSource {
  /** The object's bytes, or undefined when there is no such object. */
  getObject(bucket: string, key: string): Promise<Uint8Array | undefined>;
  /** Keys of the objects whose key starts with `prefix`, in ascending order. */
  listKeys(bucket: string, prefix: string): Promise<string[]>;
}

/** The part of `S3Client` the adapter uses, so tests can pass a fake. */
export type S3Sender = Pick<S3Client, "send">;

/** Reads through an S3 client: GetObject, and ListObjectsV2 over all pages. */
export function objectSourceFromS3Client(client: S3Sender): S3ObjectSource {
  return {
    async getObject(bucket, key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async listKeys(bucket, prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
  };
}

/**
 * Serves objects from memory, keyed by `s3://bucket/key` URL; string values are UTF-8.
 * The map is read at each call, so a test may add objects after the emulator started.
 */
export function inMemoryObjectSource(objects: Map<string, Uint8Array | string> | Record<string, Uint8Array | string>): S3ObjectSource {
  const entries = () => (objects instanceof Map ? [...objects.entries()] : Object.entries(objects));
  const bytes = (v: Uint8Array | string) => (typeof v === "string" ? new TextEncoder().encode(v) : v);
  return {
    async getObject(bucket, key) {
      const hit = entries().find(([url]) => url === `s3://${bucket}/${key}`);
      return hit ? bytes(hit[1]) : undefined;
    },
    async listKeys(bucket, prefix) {
      const base = `s3://${bucket}/`;
      return entries()
        .map(([url]) => url)
        .filter((url) => url.startsWith(base) && url.slice(base.length).startsWith(prefix))
        .map((url) => url.slice(base.length))
        .sort();
    },
  };
}

function isNotFound(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === "NoSuchKey" || e.name === "NotFound" || e.$metadata?.httpStatusCode === 404;
}
