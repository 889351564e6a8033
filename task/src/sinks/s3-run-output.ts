import { HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { PassThrough } from "node:stream";
import { EtlError } from "../errors.ts";
import { contentTypeOf } from "./codec.ts";
import type { FileSink, PublishedFile, RunOutput } from "./run-output.ts";
import { classifyS3Error } from "../s3/s3-errors.ts";
import { formatS3Uri, joinKey, type S3Location } from "../s3/s3-uri.ts";

/** lib-storage part size: S3's minimum is 5 MiB; 8 MiB keeps memory at queueSize × 8 MiB per file. */
const PART_SIZE = 8 << 20;
/** Parts of one file uploaded in parallel. */
const QUEUE_SIZE = 4;

/**
 * A run under `s3://bucket/prefix/<runId>/`. Parts stream up as multipart uploads while
 * they are written. S3 has no rename, so a run becomes visible by its last two objects:
 * the COPY manifest, then `summary.json`, each written with `IfNoneMatch: '*'` so no run
 * can ever overwrite another's. Until `summary.json` exists the run is not finished.
 */
export class S3RunOutput implements RunOutput {
  readonly location: string;
  private readonly prefix: string;
  private readonly uploads = new Set<Upload>();

  private constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    rootPrefix: string,
    runId: string,
  ) {
    this.prefix = joinKey(rootPrefix, `${runId}/`);
    this.location = formatS3Uri({ bucket, key: this.prefix });
  }

  /** Opens a run; fails early if a run with this id was already published. */
  static async create(client: S3Client, root: S3Location, runId: string): Promise<S3RunOutput> {
    const out = new S3RunOutput(client, root.bucket, root.key, runId);
    const summaryKey = joinKey(out.prefix, "summary.json");
    const exists = await client.send(new HeadObjectCommand({ Bucket: root.bucket, Key: summaryKey })).then(
      () => true,
      (error: { $metadata?: { httpStatusCode?: number } }) => {
        if (error.$metadata?.httpStatusCode === 404) return false;
        throw classifyS3Error(error, out.location, "output");
      },
    );
    if (exists) throw new EtlError("OUTPUT_REJECTED", `a run ${runId} was already published here`, { file: out.location });
    return out;
  }

  urlOf(relPath: string): string {
    return formatS3Uri({ bucket: this.bucket, key: joinKey(this.prefix, relPath) });
  }

  async createFile(relPath: string): Promise<FileSink> {
    const body = new PassThrough({ highWaterMark: PART_SIZE });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: joinKey(this.prefix, relPath), Body: body, ContentType: contentTypeOf(relPath) },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    this.uploads.add(upload);
    const uri = this.urlOf(relPath);
    const done = upload.done().then(
      () => {
        this.uploads.delete(upload);
      },
      (error: unknown) => {
        body.destroy();
        throw classifyS3Error(error, uri, "output");
      },
    );
    done.catch(() => {});
    return { stream: body, done };
  }

  async writeAfterPublish(file: PublishedFile): Promise<void> {
    await this.publish([file]);
  }

  async publish(files: readonly PublishedFile[]): Promise<void> {
    for (const file of files) {
      const uri = this.urlOf(file.relPath);
      await this.client
        .send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: joinKey(this.prefix, file.relPath),
            Body: file.body,
            ContentType: contentTypeOf(file.relPath),
            IfNoneMatch: "*",
          }),
        )
        .catch((error: unknown) => {
          throw classifyS3Error(error, uri, "output");
        });
    }
  }

  /**
   * Aborts uploads in flight. Finished parts stay (the task role may not delete), but
   * without `summary.json` and the manifest they never look like a finished run, and the
   * bucket's lifecycle rule expires them.
   */
  async discard(): Promise<void> {
    await Promise.allSettled([...this.uploads].map((u) => u.abort()));
    this.uploads.clear();
  }
}

