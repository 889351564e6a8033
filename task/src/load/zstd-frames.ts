/**
 * Zstandard data as its frames. A zstd part is several frames (the header's, then one per block
 * of rows: sinks/block-part-writer.ts), which the format allows and libzstd's tools read as one
 * stream; but Node's zstd decompressor stops after the first frame and drops the rest without an
 * error (nodejs/node#64741, unfixed in Node 24), so readers here cut the data into frames first
 * and decompress each on its own. Frame layout: RFC 8878 §3.1.
 * @see https://www.rfc-editor.org/rfc/rfc8878#section-3.1
 * @see https://github.com/nodejs/node/issues/64741
 */
import { EtlError } from "../errors.ts";

const FRAME_MAGIC = 0xfd2fb528;
/** Skippable frames: magic 0x184D2A50 to 0x184D2A5F, then a 4-byte length, then that many bytes. */
const SKIPPABLE_MAGIC = 0x184d2a50;
const SKIPPABLE_MASK = 0xfffffff0;

/** The length of a frame that starts at `at` in `bytes`, or `undefined` when `bytes` ends inside it. */
export type FrameLength = number | undefined;

/**
 * The length of the zstd frame (or skippable frame) starting at `at`: walks the frame header,
 * then the blocks' 3-byte headers (Last_Block, Block_Type, Block_Size) to the last block, then the
 * optional 4-byte checksum. Nothing is decompressed.
 * @returns `undefined` when the frame runs past the end of `bytes` (more are needed).
 * @throws EtlError LOAD_FAILED when the bytes at `at` are not a frame.
 */
export function zstdFrameLength(bytes: Uint8Array, at: number, name = "zstd data"): FrameLength {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length;
  if (at + 4 > end) return undefined;
  const magic = view.getUint32(at, true);
  if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
    if (at + 8 > end) return undefined;
    const length = 8 + view.getUint32(at + 4, true);
    return at + length > end ? undefined : length;
  }
  if (magic !== FRAME_MAGIC) throw new EtlError("LOAD_FAILED", `${name} is not zstd: no frame starts at byte ${at}`);
  if (at + 5 > end) return undefined;
  const descriptor = bytes[at + 4]!;
  const contentSizeFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const checksum = (descriptor >> 2) & 1;
  const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 3]!;
  const contentSizeBytes = [singleSegment, 2, 4, 8][contentSizeFlag]!;
  let pos = at + 5 + (singleSegment ? 0 : 1) + dictionaryIdBytes + contentSizeBytes;
  for (;;) {
    if (pos + 3 > end) return undefined;
    const header = bytes[pos]! | (bytes[pos + 1]! << 8) | (bytes[pos + 2]! << 16);
    const last = header & 1;
    const type = (header >> 1) & 3;
    const size = header >>> 3;
    if (type === 3) throw new EtlError("LOAD_FAILED", `${name} is not valid zstd: a reserved block type at byte ${pos}`);
    // An RLE block holds one byte, repeated Block_Size times.
    pos += 3 + (type === 1 ? 1 : size);
    if (last) break;
  }
  pos += checksum ? 4 : 0;
  return pos > end ? undefined : pos - at;
}

/**
 * The frames of a zstd byte stream, each whole, in order (views of the chunks where a frame lies
 * in one, else copies).
 * @throws EtlError LOAD_FAILED when the data is not zstd, or ends inside a frame.
 */
export async function* zstdFrames(chunks: AsyncIterable<Uint8Array>, name = "zstd data"): AsyncIterable<Uint8Array> {
  let pending: Uint8Array = new Uint8Array(0);
  let offset = 0;
  for await (const chunk of chunks) {
    pending = offset === pending.length ? chunk : Buffer.concat([pending.subarray(offset), chunk]);
    offset = 0;
    for (;;) {
      const length = zstdFrameLength(pending, offset, name);
      if (length === undefined) break;
      yield pending.subarray(offset, offset + length);
      offset += length;
    }
  }
  if (offset < pending.length) throw new EtlError("LOAD_FAILED", `${name} ends inside a zstd frame (truncated)`);
}

/** The frames of zstd data held whole in memory (see {@link zstdFrames}). */
export function zstdFramesOf(bytes: Uint8Array, name = "zstd data"): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = zstdFrameLength(bytes, at, name);
    if (length === undefined) throw new EtlError("LOAD_FAILED", `${name} ends inside a zstd frame (truncated)`);
    frames.push(bytes.subarray(at, at + length));
    at += length;
  }
  return frames;
}
