/**
 * A small file of a fanned-out run in S3 (the plan, a shard's summary), put with
 * `If-None-Match: *` (S3's conditional write), so two attempts racing leave one.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { classifyS3Error } from "../s3/s3-errors.ts";
import { formatS3Uri, type S3Location } from "../s3/s3-uri.ts";
import type { StoredFile } from "./stored-file.ts";

export function s3File(client: S3Client, location: S3Location): StoredFile {
  const { bucket, key } = location;
  const uri = formatS3Uri(location);
  const readIfPresent = async () => {
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await object.Body!.transformToString("utf-8");
    } catch (error) {
      if ((error as { name?: string }).name === "NoSuchKey") return undefined;
      throw classifyS3Error(error, uri, "input");
    }
  };
  return {
    uri,
    readIfPresent,
    async createOrRead(text) {
      try {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: key.endsWith(".jsonl") ? "application/jsonl" : "application/json", IfNoneMatch: "*" }));
        return undefined;
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        // 412: the file is there; 409: another put of it was in flight (S3 asks to retry: read it).
        if (status === 412 || status === 409) return readIfPresent();
        throw classifyS3Error(error, uri, "output");
      }
    },
  };
}
