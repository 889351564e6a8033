import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdir, open, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { promisify } from "node:util";
import { constants, crc32, deflateRaw, deflateRawSync } from "node:zlib";
import { partSuffix, runtimeZstd, zstdPartOptions, type Compression, type ZstdOptions } from "./codec.ts";
import type { PartInfo } from "./stream-part-writer.ts";
import type { FileSink, RunOutput } from "./run-output.ts";
import { crc32Combine } from "./crc32-combine.ts";
import { partTarget, splitBalanced, tailPartCount } from "./part-plan.ts";
import { RowBlocks } from "./row-blocks.ts";

const deflateRawAsync = promisify(deflateRaw);

/** Options of {@link BlockPartWriter}. */
export interface BlockPartWriterOptions {
  /** Folder inside the run, e.g. `clean`. */
  dir: string;
  /** Header line at the top of each part, with its `\n`. */
  header: string;
  /** Codec of the parts (see codec.ts). */
  compression: Compression;
  /** With gzip: its level, 0 (stored: no compression, for speed) to 9. */
  gzipLevel: number;
  /** Uncompressed bytes per part; see part-plan.ts. */
  partBytes: number;
  /** The part count is a multiple of this. */
  slices: number;
  /** Blocks compressing at once, on libuv's thread pool. */
  concurrency: number;
  /** Compressed bytes held in memory; past it, held blocks wait in a temporary file under `spillDir`. */
  memoryBytes: number;
  /** Local folder for that file. */
  spillDir: string;
  /** Uncompressed bytes per compressed block (see {@link RowBlocks}). Default 1 MiB. */
  blockBytes?: number;
}

interface Block {
  rows: number;
  rawBytes: number;
  crc: number;
  compressedBytes: number;
  /** Settles once the block is compressed and stored. */
  stored: Promise<void>;
  /** The encoded bytes (see {@link BlockFormat.encode}), while in memory. */
  data: Buffer | undefined;
  /** Length of what is stored: `data`, or its copy in the temporary file. */
  storedBytes: number;
  /** Where the bytes are in the temporary file, once there. */
  fileOffset: number;
}

interface OpenPart {
  relPath: string;
  sink: FileSink;
  crc: number;
  rawBytes: number;
  rows: number;
  bytes: number;
}

/**
 * How blocks of rows become a part's bytes, for one codec: the part opens with the header line,
 * each block is encoded on its own (on libuv's thread pool) and written in order, and the part
 * closes with what the format needs at its end.
 */
interface BlockFormat {
  /** The part's first bytes: the header line, encoded. */
  readonly opening: Buffer;
  /** Whether {@link closing} needs the CRC-32 of the part's rows (gzip's trailer). */
  readonly needsCrc: boolean;
  /** The block as held until written: compressed, or the rows themselves when {@link pieces} frames them. */
  encode(rows: Buffer): Promise<Buffer>;
  /** What goes into the part for an encoded block. */
  pieces(encoded: Buffer): Buffer[];
  /** The part's last bytes, from the CRC-32 and the length of all its rows. */
  closing(crc: number, rawBytes: number): Buffer;
}

/** gzip member header (RFC 1952): deflate, no name, no time, OS unknown. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);
/** An empty final deflate block (fixed Huffman, end-of-block only), as pigz ends a member. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);
/** Largest stored (uncompressed) deflate block. */
const STORED_MAX = 65535;
/**
 * Uncompressed bytes per block: enough that zlib's per-call cost and the dictionary each block
 * starts without are lost in the noise, small enough that two threads share a small output.
 */
const BLOCK_BYTES = 1 << 20;
/** With one slice, rows held back from the open part, so the last part is never a sliver. */
const MIN_TAIL_BYTES = 8 << 20;
const NO_BYTES = Buffer.alloc(0);

/**
 * gzip: each block a raw deflate stream ended by a sync flush, so blocks join into one valid
 * gzip member (the way pigz works); the trailer's CRC-32 is combined from the blocks'. Level 0
 * skips zlib: the rows go out as stored deflate blocks, framed as they are written.
 */
function gzipFormat(header: string, level: number): BlockFormat {
  return {
    opening: Buffer.concat([GZIP_HEADER, deflateRawSync(header, { level, finishFlush: constants.Z_SYNC_FLUSH })]),
    needsCrc: true,
    async encode(rows) {
      if (level === 0) return rows;
      // One output chunk for the whole block: zlib's default 16 KiB chunks cost a callback and a copy each.
      const chunkSize = rows.length + (rows.length >> 10) + 1024;
      return deflateRawAsync(rows, { level, finishFlush: constants.Z_SYNC_FLUSH, chunkSize });
    },
    pieces(encoded) {
      if (level !== 0) return [encoded];
      // Stored deflate blocks: BFINAL 0, type 00, then LEN and its complement, then the bytes.
      const pieces: Buffer[] = [];
      for (let at = 0; at < encoded.length; at += STORED_MAX) {
        const n = Math.min(STORED_MAX, encoded.length - at);
        pieces.push(Buffer.from([0x00, n & 0xff, n >>> 8, ~n & 0xff, (~n >>> 8) & 0xff]), encoded.subarray(at, at + n));
      }
      return pieces;
    },
    closing(crc, rawBytes) {
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(crc >>> 0, 0);
      trailer.writeUInt32LE(rawBytes % 2 ** 32, 4);
      return Buffer.concat([FINAL_BLOCK, trailer]);
    },
  };
}

/**
 * zstd: the header and each block one frame of their own (level 3, XXH64 checksum, content size),
 * so blocks compress in parallel; concatenated frames are one valid zstd stream (RFC 8878 §3:
 * "Zstandard compressed data is made of one or more frames").
 * @see https://www.rfc-editor.org/rfc/rfc8878#section-3
 */
function zstdFormat(header: string): BlockFormat {
  const zstd = runtimeZstd();
  const compress = promisify(zstd.zstdCompress.bind(zstd)) as (data: Buffer, options: ZstdOptions) => Promise<Buffer>;
  return {
    opening: zstd.zstdCompressSync(Buffer.from(header), zstdPartOptions(zstd)),
    needsCrc: false,
    // One output chunk for the whole block, as for gzip (zstd's bound is about 1/256 over the input).
    encode: (rows) => compress(rows, zstdPartOptions(zstd, rows.length + (rows.length >> 7) + 1024)),
    pieces: (encoded) => [encoded],
    closing: () => NO_BYTES,
  };
}

/** none: the CSV as it is. */
function plainFormat(header: string): BlockFormat {
  return { opening: Buffer.from(header), needsCrc: false, encode: async (rows) => rows, pieces: (rows) => [rows], closing: () => NO_BYTES };
}

/**
 * Writes clean rows as part files in the run's codec (gzip, zstd or none), compressing blocks
 * of rows in parallel on libuv's thread pool. The rows are cut into blocks at fixed places
 * ({@link RowBlocks}), so the parts depend only on the rows and the options, not on the pieces
 * they were written in: byte-identical for every codec, on any worker count, spilled or not.
 * How a codec frames the blocks is its {@link BlockFormat} ({@link gzipFormat}, {@link zstdFormat}).
 *
 * Parts are written while rows come in: a block goes into the open part once enough rows
 * follow it (see {@link holdBack}), and a part closes at `partBytes`. The held-back tail is
 * written at {@link close}: into the open part with one slice, else split so that the part
 * count is a multiple of the slices (see part-plan.ts). What is written must be whole rows, and
 * its memory must not change until the writer is closed (the writer may keep a view of it).
 */
export class BlockPartWriter {
  /** Blocks not yet written, in order. */
  private readonly held: Block[] = [];
  private heldRaw = 0;
  private readonly compressing: Promise<void>[] = [];
  private readonly format: BlockFormat;
  private readonly headerCrc: number;
  private readonly target: number;
  private readonly blocks: RowBlocks;
  private inMemory = 0;
  private file: { dir: string; handle: FileHandle; size: number } | undefined;
  private openingFile: Promise<void> | undefined;
  private current: OpenPart | undefined;
  private readonly parts: PartInfo[] = [];
  /** Part writing, one block after another. */
  private writing: Promise<void> = Promise.resolve();
  private failed: unknown;

  constructor(
    private readonly output: RunOutput,
    private readonly options: BlockPartWriterOptions,
  ) {
    const { compression, header, gzipLevel } = options;
    this.format = compression === "gzip" ? gzipFormat(header, gzipLevel) : compression === "zstd" ? zstdFormat(header) : plainFormat(header);
    this.headerCrc = this.format.needsCrc ? crc32(header) : 0;
    this.target = partTarget(options.partBytes);
    this.blocks = new RowBlocks(options.blockBytes ?? BLOCK_BYTES);
  }

  /** Adds `rows` whole rows; resolves once the blocks they complete are queued within the concurrency limit. */
  async write(data: Buffer, rows: number): Promise<void> {
    if (rows === 0) return;
    this.throwIfFailed();
    for (const block of this.blocks.push(data, rows)) await this.add(block.data, block.rows);
  }

  /** Queues one block for compression, then writes into parts the blocks that enough rows follow. */
  private async add(data: Buffer, rows: number): Promise<void> {
    const crc = this.format.needsCrc ? crc32(data) : 0;
    const block: Block = { rows, rawBytes: data.length, crc, compressedBytes: 0, stored: Promise.resolve(), data: undefined, storedBytes: 0, fileOffset: -1 };
    block.stored = this.format.encode(data).then((encoded) => {
      block.compressedBytes = this.format.pieces(encoded).reduce((n, piece) => n + piece.length, 0);
      return this.store(block, encoded);
    });
    block.stored.catch((error: unknown) => (this.failed ??= error));
    this.held.push(block);
    this.heldRaw += block.rawBytes;
    this.compressing.push(block.stored);
    // Stream into parts the blocks that enough rows follow: the tail decides the part count.
    const holdBack = this.holdBack();
    while (this.held.length > 0 && this.heldRaw - this.held[0]!.rawBytes >= holdBack) {
      const next = this.held.shift()!;
      this.heldRaw -= next.rawBytes;
      this.chain(() => this.append(next, true));
    }
    while (this.compressing.length > this.options.concurrency) await this.compressing.shift();
    this.throwIfFailed();
  }

  /** Writes what is held back as the last parts; returns every part, in order. */
  async close(): Promise<PartInfo[]> {
    try {
      const last = this.blocks.flush();
      if (last) await this.add(last.data, last.rows);
      await Promise.all(this.compressing.splice(0));
      await this.writing;
      this.throwIfFailed();
      // Fill the open part up to its size first; with one slice, the open part takes the whole tail.
      const fillTo = this.options.slices === 1 ? Infinity : this.target;
      while (this.current && this.held.length > 0 && this.current.rawBytes - this.options.header.length < fillTo) {
        const next = this.held.shift()!;
        this.heldRaw -= next.rawBytes;
        await this.append(next, false);
      }
      await this.finishPart();
      const written = this.parts.length;
      const tail = this.held.splice(0);
      const k = tailPartCount(written, tail.reduce((n, b) => n + b.rawBytes, 0), this.options.slices, this.target);
      const firsts = splitBalanced(tail, k);
      for (let j = 0; j < k; j++) {
        const group = tail.slice(firsts[j], firsts[j + 1] ?? tail.length);
        this.chain(async () => {
          await this.openPart();
          for (const block of group) await this.append(block, false);
          await this.finishPart();
        });
      }
      await this.writing;
      this.throwIfFailed();
      return this.parts;
    } finally {
      await this.removeFile();
    }
  }

  /** Drops what is held, for runs that fail. */
  async abort(): Promise<void> {
    this.failed ??= new Error("aborted");
    await Promise.allSettled(this.compressing.splice(0));
    await this.writing.catch(() => {});
    this.current?.sink.stream.destroy(new Error("aborted"));
    for (const b of this.held) b.data = undefined;
    await this.removeFile();
  }

  /**
   * Rows held back from the parts until more follow. With several slices, `slices` parts'
   * worth: the tail is then split so the count comes out a multiple of the slices, every part
   * about the same size. With one slice, any count will do: only enough that the last part
   * (which takes the tail) is not a sliver.
   */
  private holdBack(): number {
    return this.options.slices === 1 ? Math.min(this.target, MIN_TAIL_BYTES) : this.options.slices * this.target;
  }

  private chain(step: () => Promise<void>): void {
    this.writing = this.writing.then(() => {
      this.throwIfFailed();
      return step();
    });
    this.writing.catch((error: unknown) => (this.failed ??= error));
  }

  private throwIfFailed(): void {
    if (this.failed !== undefined) throw this.failed;
  }

  private async store(block: Block, bytes: Buffer): Promise<void> {
    block.storedBytes = bytes.length;
    if (this.inMemory + bytes.length <= this.options.memoryBytes) {
      block.data = bytes;
      this.inMemory += bytes.length;
      return;
    }
    await (this.openingFile ??= this.openFile());
    const file = this.file!;
    block.fileOffset = file.size;
    file.size += bytes.length;
    await file.handle.write(bytes, 0, bytes.length, block.fileOffset);
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

  private async openPart(): Promise<void> {
    const relPath = `${this.options.dir}/part-${String(this.parts.length).padStart(5, "0")}${partSuffix(this.options.compression)}`;
    const sink = await this.output.createFile(relPath);
    this.current = { relPath, sink, crc: this.headerCrc, rawBytes: this.options.header.length, rows: 0, bytes: 0 };
    await this.put([this.format.opening]);
  }

  /** Appends a block to the open part (opening one first); with `roll`, closes the part once it is full. */
  private async append(block: Block, roll: boolean): Promise<void> {
    await block.stored;
    if (!this.current) await this.openPart();
    const part = this.current!;
    await this.put(this.format.pieces(await this.read(block)));
    if (block.data) this.inMemory -= block.data.length;
    block.data = undefined;
    if (this.format.needsCrc) part.crc = crc32Combine(part.crc, block.crc, block.rawBytes);
    part.rawBytes += block.rawBytes;
    part.rows += block.rows;
    if (roll && part.rawBytes - this.options.header.length >= this.target) await this.finishPart();
  }

  private async finishPart(): Promise<void> {
    const part = this.current;
    if (!part) return;
    await this.put([this.format.closing(part.crc, part.rawBytes)]);
    part.sink.stream.end();
    await part.sink.done;
    this.current = undefined;
    this.parts.push({ relPath: part.relPath, rows: part.rows, bytes: part.bytes });
  }

  /** Writes `pieces` into the open part, corked so the stream takes them in one writev; waits while it drains. */
  private async put(pieces: readonly Buffer[]): Promise<void> {
    const part = this.current!;
    const stream: Writable = part.sink.stream;
    if (pieces.length === 1) {
      part.bytes += pieces[0]!.length;
      if (!stream.write(pieces[0]!)) await Promise.race([once(stream, "drain"), part.sink.done]);
      return;
    }
    stream.cork();
    for (const piece of pieces) {
      part.bytes += piece.length;
      stream.write(piece);
    }
    process.nextTick(() => stream.uncork());
    if (stream.writableNeedDrain) await Promise.race([once(stream, "drain"), part.sink.done]);
  }

  private async read(block: Block): Promise<Buffer> {
    if (block.data) return block.data;
    const data = Buffer.allocUnsafe(block.storedBytes);
    const { bytesRead } = await this.file!.handle.read(data, 0, data.length, block.fileOffset);
    if (bytesRead !== data.length) throw new Error(`short read of a held block: ${bytesRead} of ${data.length} bytes`);
    return data;
  }
}
