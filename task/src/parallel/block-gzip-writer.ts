import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdir, open, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { constants, crc32, deflateRaw, deflateRawSync } from "node:zlib";
import type { PartInfo } from "../output/gzip-part-writer.ts";
import type { RunOutput } from "../output/run-output.ts";
import { crc32Combine } from "./crc32-combine.ts";
import { planParts } from "./part-plan.ts";

const deflateRawAsync = promisify(deflateRaw);

/** Options of {@link BlockGzipWriter}. */
export interface BlockGzipWriterOptions {
  /** Folder inside the run, e.g. `clean`. */
  dir: string;
  /** Header line at the top of each part, with its `\n`. */
  header: string;
  /** gzip level, 0 (stored: no compression, for speed) to 9. */
  gzipLevel: number;
  /** Most uncompressed bytes a part should hold; see {@link planParts}. */
  partBytes: number;
  /** The part count is a multiple of this. */
  slices: number;
  /** Blocks compressing at once, on libuv's thread pool. */
  concurrency: number;
  /** Compressed bytes held in memory; past it, blocks wait in a temporary file under `spillDir`. */
  memoryBytes: number;
  /** Local folder for that file. */
  spillDir: string;
}

interface Block {
  rows: number;
  rawBytes: number;
  crc: number;
  compressedBytes: number;
  /** The compressed bytes, while in memory. */
  data: Buffer | undefined;
  /** Where the compressed bytes are in the temporary file, once there. */
  fileOffset: number;
}

/** gzip member header (RFC 1952): deflate, no name, no time, OS unknown. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);
/** An empty final deflate block (fixed Huffman, end-of-block only), as pigz ends a member. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/**
 * Writes clean rows as gzip parts, compressing blocks of rows in parallel on libuv's thread
 * pool. Each block is a raw deflate stream ended by a sync flush, so blocks join into one
 * valid gzip member (the way pigz works); the CRC-32 of a part is combined from its blocks'.
 *
 * The number of parts must be a multiple of the slice count and parts about equal, which
 * needs the total size: blocks are kept (in memory, then in a temporary file) and the parts
 * are written by {@link close}, grouped by {@link planParts}. Blocks must hold whole rows.
 */
export class BlockGzipWriter {
  private readonly blocks: Block[] = [];
  private readonly compressing: Promise<void>[] = [];
  private readonly headerBlock: Buffer;
  private readonly headerCrc: number;
  private inMemory = 0;
  private file: { dir: string; handle: FileHandle; size: number } | undefined;
  private openingFile: Promise<void> | undefined;
  private failed: unknown;

  constructor(
    private readonly output: RunOutput,
    private readonly options: BlockGzipWriterOptions,
  ) {
    this.headerBlock = deflateRawSync(options.header, { level: options.gzipLevel, finishFlush: constants.Z_SYNC_FLUSH });
    this.headerCrc = crc32(options.header);
  }

  /**
   * Adds a block of `rows` whole rows. `data` must not change until the block is compressed
   * (the writer keeps no copy). Resolves once the block is queued within the concurrency limit.
   */
  async write(data: Buffer, rows: number): Promise<void> {
    if (rows === 0) return;
    this.throwIfFailed();
    const block: Block = { rows, rawBytes: data.length, crc: crc32(data), compressedBytes: 0, data: undefined, fileOffset: -1 };
    this.blocks.push(block);
    // One output chunk for the whole block: zlib's default 16 KiB chunks cost a callback and a copy each.
    const chunkSize = data.length + (data.length >> 10) + 1024;
    const done = deflateRawAsync(data, { level: this.options.gzipLevel, finishFlush: constants.Z_SYNC_FLUSH, chunkSize }).then((compressed) => this.store(block, compressed));
    done.catch((error: unknown) => (this.failed ??= error));
    this.compressing.push(done);
    while (this.compressing.length > this.options.concurrency) await this.compressing.shift();
    this.throwIfFailed();
  }

  /** Waits for the blocks, writes the parts; returns them in order. */
  async close(): Promise<PartInfo[]> {
    try {
      await Promise.all(this.compressing.splice(0));
      this.throwIfFailed();
      const firsts = planParts(this.blocks, { slices: this.options.slices, partBytes: this.options.partBytes });
      const parts: PartInfo[] = [];
      for (let j = 0; j < firsts.length; j++) {
        const blocks = this.blocks.slice(firsts[j], firsts[j + 1] ?? this.blocks.length);
        parts.push(await this.writePart(`${this.options.dir}/part-${String(j).padStart(5, "0")}.csv.gz`, blocks));
      }
      return parts;
    } finally {
      await this.removeFile();
    }
  }

  /** Drops what is held, for runs that fail. */
  async abort(): Promise<void> {
    this.failed ??= new Error("aborted");
    await Promise.allSettled(this.compressing.splice(0));
    for (const b of this.blocks) b.data = undefined;
    await this.removeFile();
  }

  private throwIfFailed(): void {
    if (this.failed !== undefined) throw this.failed;
  }

  private async store(block: Block, compressed: Buffer): Promise<void> {
    block.compressedBytes = compressed.length;
    if (this.inMemory + compressed.length <= this.options.memoryBytes) {
      block.data = compressed;
      this.inMemory += compressed.length;
      return;
    }
    await (this.openingFile ??= this.openFile());
    const file = this.file!;
    block.fileOffset = file.size;
    file.size += compressed.length;
    await file.handle.write(compressed, 0, compressed.length, block.fileOffset);
  }

  private async openFile(): Promise<void> {
    const dir = join(this.options.spillDir, `cti-etl-blocks-${randomBytes(6).toString("hex")}`);
    await mkdir(dir, { recursive: true });
    this.file = { dir, handle: await open(join(dir, "blocks"), "w+"), size: 0 };
  }

  private async removeFile(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    if (!file) return;
    await file.handle.close().catch(() => {});
    await rm(file.dir, { recursive: true, force: true });
  }

  private async writePart(relPath: string, blocks: readonly Block[]): Promise<PartInfo> {
    const sink = await this.output.createFile(relPath);
    const stream = sink.stream;
    let bytes = 0;
    const put = async (chunk: Buffer) => {
      bytes += chunk.length;
      if (!stream.write(chunk)) await Promise.race([once(stream, "drain"), sink.done]);
    };
    try {
      let crc = this.headerCrc;
      let length = this.options.header.length;
      let rows = 0;
      await put(GZIP_HEADER);
      await put(this.headerBlock);
      for (const block of blocks) {
        await put(await this.read(block));
        crc = crc32Combine(crc, block.crc, block.rawBytes);
        length += block.rawBytes;
        rows += block.rows;
        block.data = undefined;
      }
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(crc >>> 0, 0);
      trailer.writeUInt32LE(length % 2 ** 32, 4);
      await put(FINAL_BLOCK);
      await put(trailer);
      stream.end();
      await sink.done;
      return { relPath, rows, bytes };
    } catch (error) {
      stream.destroy(error as Error);
      await sink.done.catch(() => {});
      throw error;
    }
  }

  private async read(block: Block): Promise<Buffer> {
    if (block.data) return block.data;
    const data = Buffer.allocUnsafe(block.compressedBytes);
    const { bytesRead } = await this.file!.handle.read(data, 0, data.length, block.fileOffset);
    if (bytesRead !== data.length) throw new Error(`short read of a compressed block: ${bytesRead} of ${data.length} bytes`);
    return data;
  }
}
