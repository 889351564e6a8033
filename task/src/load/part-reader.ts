/**
 * Where the Postgres warehouse gets a clean part's bytes (Redshift reads its parts itself, from
 * S3): a {@link PartReader} per URL scheme, and the decompression its name says (sinks/codec.ts).
 */
import { createReadStream } from "node:fs";
import type { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createGunzip } from "node:zlib";
import type { S3Client } from "@aws-sdk/client-s3";
import { EtlError } from "../errors.ts";
import { runtimeZstd, type Compression } from "../sinks/codec.ts";
import { zstdFrames } from "./zstd-frames.ts";

/** Streams the bytes of the part at `url`, as stored (compressed). */
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

/**
 * Decompresses a part's bytes stored with `compression` (see `compressionOfPart`: a part's name
 * says its codec); errors of the source or of the compressed data surface from the iteration.
 * zstd parts are decompressed frame by frame (see zstd-frames.ts: Node's decompressor reads one).
 * @throws EtlError USAGE for zstd parts on a runtime without zstd.
 */
export function decompressed(chunks: AsyncIterable<Uint8Array>, compression: Compression, name = "the part"): AsyncIterable<Uint8Array> {
  if (compression === "none") return chunks;
  if (compression === "zstd") return zstdDecompressed(chunks, name);
  const gunzip: Transform = createGunzip();
  pipeline(chunks, gunzip).catch((error: unknown) => gunzip.destroy(error as Error));
  return gunzip;
}

async function* zstdDecompressed(chunks: AsyncIterable<Uint8Array>, name: string): AsyncIterable<Uint8Array> {
  const zstd = runtimeZstd();
  const decompress = promisify(zstd.zstdDecompress.bind(zstd)) as (frame: Uint8Array) => Promise<Buffer>;
  for await (const frame of zstdFrames(chunks, name)) yield await decompress(frame);
}
