/**
 * A part's bytes decompressed, for tests, by means other than the code under test's own: zlib's
 * gunzip, zstd through node:zlib where the runtime has it, else the `zstd` command (as the Redshift
 * Data API emulator's COPY does).
 */
import { gunzipSync } from "node:zlib";
import type { Compression } from "../../task/src/sinks/codec.ts";
import { zstdDecompressSync } from "./redshift-data-emulator/copy-from-s3.ts";

/** The CSV bytes of a part written with `compression`. */
export function decompressPart(bytes: Uint8Array, compression: Compression): Buffer {
  if (compression === "gzip") return gunzipSync(bytes);
  if (compression === "zstd") return Buffer.from(zstdDecompressSync(bytes));
  return Buffer.from(bytes);
}
