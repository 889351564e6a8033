import { once } from "node:events";
import { PassThrough, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { partSuffix, runtimeZstd, zstdPartOptions, type Compression } from "./codec.ts";
import type { RunOutput } from "./run-output.ts";

/** Uncompressed bytes allowed to wait for the compressor before writes pause. */
const MAX_QUEUED_BYTES = 8 << 20;

/** A finished part file. */
export interface PartInfo {
  /** Path inside the run, e.g. `clean/part-00000.csv.zst`; its ending names the codec (codec.ts). */
  relPath: string;
  rows: number;
  /** Compressed size in bytes. */
  bytes: number;
}

/** Options of {@link StreamPartWriter}. */
export interface PartWriterOptions {
  /** Folder inside the run, e.g. `clean`. */
  dir: string;
  /** Header line written at the top of each part, with its `\n`. */
  header: string;
  /** Start a new part once this many uncompressed bytes went into the current one. */
  partBytes: number;
  /** Codec of the parts (see codec.ts). */
  compression: Compression;
  /** With gzip: its level, 0 (stored) to 9 (small). */
  gzipLevel: number;
}

/** The compressing stream of a part: gzip, zstd (the settings of codec.ts), or none. */
function compressor(compression: Compression, gzipLevel: number): Transform {
  if (compression === "gzip") return createGzip({ level: gzipLevel });
  if (compression === "zstd") {
    const zstd = runtimeZstd();
    return zstd.createZstdCompress(zstdPartOptions(zstd));
  }
  return new PassThrough();
}

interface OpenPart {
  relPath: string;
  compressor: Transform;
  rows: number;
  uncompressed: number;
  compressed: { bytes: number };
  done: Promise<unknown>;
}

/**
 * Writes CSV text into part files in the run's codec, rolling to a new part past `partBytes`
 * (the rejected rows: few, written as they come, so one stream per part is enough). Compression
 * runs on libuv's thread pool, so it overlaps with parsing; writes wait on backpressure.
 * At least one part is always written (a header-only part when there are no rows).
 */
export class StreamPartWriter {
  private current: OpenPart | undefined;
  private readonly parts: PartInfo[] = [];

  constructor(
    private readonly output: RunOutput,
    private readonly options: PartWriterOptions,
  ) {}

  /** Appends `rows` rows of CSV text. */
  async write(text: string, rows: number): Promise<void> {
    if (rows === 0) return;
    if (this.current && this.current.uncompressed >= this.options.partBytes) await this.closeCurrent();
    const part = this.current ?? (this.current = await this.open());
    part.rows += rows;
    part.uncompressed += text.length;
    part.compressor.write(text);
    // Let a few chunks queue so compression (on the thread pool) overlaps with parsing;
    // waiting for every 'drain' would serialise the two.
    if (part.compressor.writableLength > MAX_QUEUED_BYTES) await Promise.race([once(part.compressor, "drain"), part.done]);
  }

  /** Finishes the last part; returns every part written. */
  async close(): Promise<PartInfo[]> {
    if (!this.current && this.parts.length === 0) this.current = await this.open();
    await this.closeCurrent();
    return this.parts;
  }

  /** Destroys the open part, for runs that fail. */
  abort(error: Error): void {
    this.current?.compressor.destroy(error);
  }

  private async open(): Promise<OpenPart> {
    const relPath = `${this.options.dir}/part-${String(this.parts.length).padStart(5, "0")}${partSuffix(this.options.compression)}`;
    const sink = await this.output.createFile(relPath);
    const stream = compressor(this.options.compression, this.options.gzipLevel);
    const compressed = { bytes: 0 };
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        compressed.bytes += chunk.length;
        cb(null, chunk);
      },
    });
    const done = Promise.all([pipeline(stream, counter, sink.stream), sink.done]);
    // Surface failures through write/close, not as unhandled rejections.
    done.catch(() => {});
    stream.write(this.options.header);
    return { relPath, compressor: stream, rows: 0, uncompressed: this.options.header.length, compressed, done };
  }

  private async closeCurrent(): Promise<void> {
    const part = this.current;
    if (!part) return;
    this.current = undefined;
    part.compressor.end();
    await part.done;
    this.parts.push({ relPath: part.relPath, rows: part.rows, bytes: part.compressed.bytes });
  }
}
