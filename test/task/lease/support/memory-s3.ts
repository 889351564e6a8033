import { createHash } from "node:crypto";
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

/**
 * An in-memory S3 with AWS's conditional-request semantics for one bucket (GetObject, PutObject
 * with If-None-Match / If-Match, DeleteObject with If-Match), for unit tests of the lease
 * protocol. Every request takes a random number of event-loop turns, so concurrent runs
 * interleave differently from one seed to the next. The integration tests run the same protocol
 * against radosgw.
 */
export class MemoryS3 {
  private readonly objects = new Map<string, { body: string; etag: string; lastModified: Date }>();
  /** Requests seen, e.g. `PUT runs/_lease/lease.json If-Match=abc`. */
  readonly log: string[] = [];
  /**
   * Loses the response to the next matching request after it took effect, and retries it as
   * the SDK does: the caller sees the retry's answer (for a conditional write, a 412).
   */
  loseResponseOf: ((command: unknown) => boolean) | undefined;
  /** Fails the next matching request with a 500 InternalError, without effect. */
  failNext: ((command: unknown) => boolean) | undefined;

  constructor(
    private readonly now: () => number,
    private readonly delay: () => number = () => 0,
  ) {}

  /** The store as an `S3Client` (only `send` is used). */
  get client(): S3Client {
    return { send: (command: unknown) => this.send(command) } as unknown as S3Client;
  }

  body(key: string): string | undefined {
    return this.objects.get(key)?.body;
  }

  /** Writes an object directly (a foreign or corrupt lease). */
  put(key: string, body: string): string {
    const etag = `"${createHash("md5").update(body).digest("hex")}"`;
    this.objects.set(key, { body, etag, lastModified: new Date(this.now()) });
    return etag;
  }

  private async send(command: unknown): Promise<unknown> {
    for (let i = this.delay(); i > 0; i--) await Promise.resolve();
    if (this.failNext?.(command)) {
      this.failNext = undefined;
      throw Object.assign(new Error("We encountered an internal error. Please try again."), { name: "InternalError", $metadata: { httpStatusCode: 500 } });
    }
    const result = this.apply(command);
    if (this.loseResponseOf?.(command)) {
      this.loseResponseOf = undefined;
      return this.apply(command);
    }
    return result;
  }

  private apply(command: unknown): unknown {
    if (command instanceof GetObjectCommand) {
      const key = command.input.Key!;
      this.log.push(`GET ${key}`);
      const object = this.objects.get(key);
      if (!object) throw failure("NoSuchKey", 404);
      return { Body: { transformToString: async () => object.body }, ETag: object.etag, LastModified: object.lastModified };
    }
    if (command instanceof PutObjectCommand) {
      const { Key, IfMatch, IfNoneMatch } = command.input;
      this.log.push(`PUT ${Key!}${IfNoneMatch ? ` If-None-Match=${IfNoneMatch}` : ""}${IfMatch ? ` If-Match=${IfMatch}` : ""}`);
      const existing = this.objects.get(Key!);
      if (IfNoneMatch === "*" && existing) throw failure("PreconditionFailed", 412);
      if (IfMatch !== undefined && !existing) throw failure("NoSuchKey", 404);
      if (IfMatch !== undefined && unquoted(existing!.etag) !== unquoted(IfMatch)) throw failure("PreconditionFailed", 412);
      return { ETag: this.put(Key!, String(command.input.Body)) };
    }
    if (command instanceof DeleteObjectCommand) {
      const { Key, IfMatch } = command.input;
      this.log.push(`DELETE ${Key!}${IfMatch ? ` If-Match=${IfMatch}` : ""}`);
      const existing = this.objects.get(Key!);
      if (IfMatch !== undefined && !existing) throw failure("NoSuchKey", 404);
      if (IfMatch !== undefined && unquoted(existing!.etag) !== unquoted(IfMatch)) throw failure("PreconditionFailed", 412);
      this.objects.delete(Key!);
      return {};
    }
    throw new Error(`MemoryS3 does not implement ${(command as object).constructor.name}`);
  }
}

function unquoted(etag: string): string {
  return etag.replace(/^"(.*)"$/, "$1");
}

function failure(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}
