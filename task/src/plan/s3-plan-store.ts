/**
 * The plan of a run whose output is in S3: `s3://bucket/prefix/<runId>/plan.jsonl`, put with
 * `If-None-Match: *` (S3's conditional write), so two Plan attempts racing leave one plan.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { classifyS3Error } from "../s3/s3-errors.ts";
import { formatS3Uri, joinKey, type S3Location } from "../s3/s3-uri.ts";
import { PLAN_FILE } from "./plan-file.ts";
import type { PlanStore } from "./plan-store.ts";

export function s3PlanStore(client: S3Client, root: S3Location, runId: string): PlanStore {
  const key = joinKey(root.key, `${runId}/${PLAN_FILE}`);
  const uri = formatS3Uri({ bucket: root.bucket, key });
  const readIfPresent = async () => {
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: root.bucket, Key: key }));
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
        await client.send(new PutObjectCommand({ Bucket: root.bucket, Key: key, Body: text, ContentType: "application/jsonl", IfNoneMatch: "*" }));
        return undefined;
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        // 412: the plan is there; 409: another put of it was in flight (S3 asks to retry: read it).
        if (status === 412 || status === 409) return readIfPresent();
        throw classifyS3Error(error, uri, "output");
      }
    },
  };
}
