/**
 * The compression of the run's part files, decided in one place: which codecs the runtime has,
 * the default, the part names, the S3 content types, Redshift's COPY option, and how a loader
 * tells a part's codec from its name. gzip is what every version before wrote; zstd (level 3,
 * one frame per block) costs a fraction of gzip level 6's CPU for a slightly smaller file, and
 * Redshift's COPY reads both; `none` writes the CSV as it is.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-file-compression.html
 */
import * as zlib from "node:zlib";
import type { Transform } from "node:stream";
import { EtlError } from "../errors.ts";

/** The codecs a run can write its parts with. */
export const COMPRESSIONS = ["gzip", "zstd", "none"] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** zstd level of the parts: zstd's own default, its best speed-for-size point for CSV. */
export const ZSTD_LEVEL = 3;

/** What the runtime's `node:zlib` offers. */
export interface ZlibCapabilities {
  /** zstd (`zstdCompress`, `zstdCompressSync`, `createZstdCompress`, `createZstdDecompress`): Node 22.15+, 23.8+. */
  zstd: boolean;
}

/**
 * The zstd part of `node:zlib`, typed here because the project's `@types/node` (Node 20) does not
 * know it.
 * @see https://nodejs.org/api/zlib.html#zlibzstdcompressbuffer-options-callback
 */
export interface ZstdZlib {
  zstdCompress(data: Buffer, options: ZstdOptions, callback: (error: Error | null, result: Buffer) => void): void;
  zstdCompressSync(data: Buffer, options: ZstdOptions): Buffer;
  createZstdCompress(options: ZstdOptions): Transform;
  createZstdDecompress(): Transform;
  /** Decompresses the FIRST frame only (nodejs/node#64741): see load/zstd-frames.ts. */
  zstdDecompress(data: Uint8Array, callback: (error: Error | null, result: Buffer) => void): void;
  zstdDecompressSync(data: Uint8Array): Buffer;
  constants: { ZSTD_c_compressionLevel: number; ZSTD_c_checksumFlag: number };
}

/** Options of the zstd compressors of `node:zlib`. */
export interface ZstdOptions {
  params: Record<number, number>;
  chunkSize?: number;
}

/** What `zlib` (default: this runtime's `node:zlib`) can do, from the functions it has. */
export function zlibCapabilities(z: object = zlib): ZlibCapabilities {
  const m = z as Record<string, unknown>;
  return { zstd: ["zstdCompress", "zstdCompressSync", "createZstdCompress", "createZstdDecompress"].every((name) => typeof m[name] === "function") };
}

/** The parts' codec when none is asked for: zstd where the runtime has it, else gzip. */
export function defaultCompression(capabilities: ZlibCapabilities): Compression {
  return capabilities.zstd ? "zstd" : "gzip";
}

/**
 * The codec of a run: `requested` (from `--compression` or `CTI_COMPRESSION`), else the default.
 * @throws EtlError USAGE when zstd is asked for on a runtime without it.
 */
export function chooseCompression(requested: Compression | undefined, capabilities: ZlibCapabilities, nodeVersion: string = process.version): Compression {
  if (requested === "zstd" && !capabilities.zstd) {
    throw new EtlError("USAGE", `--compression zstd needs a Node.js with zstd in node:zlib (22.15 or later); this is Node ${nodeVersion.replace(/^v/, "")}: use --compression gzip or none`);
  }
  return requested ?? defaultCompression(capabilities);
}

/** The ending of a part's name: `.csv.gz`, `.csv.zst` or `.csv`. */
export function partSuffix(compression: Compression): string {
  return { gzip: ".csv.gz", zstd: ".csv.zst", none: ".csv" }[compression];
}

/**
 * A part's codec, from its name (path or URL): `.zst` zstd, `.csv` none, anything else gzip, as
 * every part was before the codec could be chosen (`.csv.gz`), so older runs still load.
 */
export function compressionOfPart(name: string): Compression {
  if (name.endsWith(".zst")) return "zstd";
  if (name.endsWith(".csv")) return "none";
  return "gzip";
}

/**
 * The one codec of a run's parts (a COPY decompresses every file of a manifest the same way);
 * gzip for none.
 * @throws EtlError INTERNAL when the parts' names say different codecs.
 */
export function compressionOfParts(names: readonly string[]): Compression {
  const found = [...new Set(names.map(compressionOfPart))];
  if (found.length > 1) throw new EtlError("INTERNAL", `the run's parts mix codecs (${found.join(", ")}); one COPY reads one codec`);
  return found[0] ?? "gzip";
}

/** COPY's file compression option for the parts: `GZIP`, `ZSTD`, or none for plain CSV. */
export function copyCompressionOption(compression: Compression): "GZIP" | "ZSTD" | undefined {
  return compression === "none" ? undefined : compression === "gzip" ? "GZIP" : "ZSTD";
}

/** The S3 content type of a run's file (`application/zstd`: RFC 8878). */
export function contentTypeOf(relPath: string): string {
  if (relPath.endsWith(".json")) return "application/json";
  if (relPath.endsWith(".csv.gz")) return "application/gzip";
  if (relPath.endsWith(".csv.zst")) return "application/zstd";
  if (relPath.endsWith(".csv")) return "text/csv";
  return "application/octet-stream";
}

/**
 * The runtime's zstd.
 * @throws EtlError USAGE when it has none (a run asked for zstd is refused before this, at settings time).
 */
export function runtimeZstd(z: object = zlib): ZstdZlib {
  if (!zlibCapabilities(z).zstd) throw new EtlError("USAGE", `zstd parts need a Node.js with zstd in node:zlib (22.15 or later); this is Node ${process.version.replace(/^v/, "")}`);
  return z as unknown as ZstdZlib;
}

/** The parts' zstd settings: level {@link ZSTD_LEVEL}, each frame checksummed (XXH64), so a damaged part fails to load. */
export function zstdPartOptions(zstd: ZstdZlib, chunkSize?: number): ZstdOptions {
  const c = zstd.constants;
  return { params: { [c.ZSTD_c_compressionLevel]: ZSTD_LEVEL, [c.ZSTD_c_checksumFlag]: 1 }, ...(chunkSize ? { chunkSize } : {}) };
}
