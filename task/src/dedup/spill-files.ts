import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs";

/**
 * Buffered append-only file for spill data: written with `writeSync`, since spill files live
 * on local disk and land in the page cache; a buffer of a few hundred KiB keeps calls rare.
 */
export class AppendFile {
  private readonly fd: number;
  /** Allocated on the first write: many partitions of a small spill stay empty. */
  private buffer: Buffer = Buffer.alloc(0);
  private at = 0;
  /** Bytes written so far (buffered included). */
  size = 0;

  constructor(
    readonly path: string,
    private readonly bufferBytes = 256 << 10,
  ) {
    this.fd = openSync(path, "w");
  }

  /** Appends one record: its length, its hash, its bytes `src[start, end)`. */
  writeRecord(hash: number, src: Buffer, start: number, end: number): void {
    if (this.buffer.length === 0) this.buffer = Buffer.allocUnsafe(this.bufferBytes);
    const length = end - start;
    if (this.at + 8 + length > this.buffer.length) this.flush();
    if (8 + length > this.buffer.length) {
      const head = Buffer.allocUnsafe(8);
      head.writeUInt32LE(length, 0);
      head.writeInt32LE(hash | 0, 4);
      writeSync(this.fd, head);
      writeSync(this.fd, src, start, length);
    } else {
      this.buffer.writeUInt32LE(length, this.at);
      this.buffer.writeInt32LE(hash | 0, this.at + 4);
      src.copy(this.buffer, this.at + 8, start, end);
      this.at += 8 + length;
    }
    this.size += 8 + length;
  }

  /** Appends one byte. */
  writeByte(value: number): void {
    if (this.buffer.length === 0) this.buffer = Buffer.allocUnsafe(this.bufferBytes);
    if (this.at === this.buffer.length) this.flush();
    this.buffer[this.at++] = value;
    this.size++;
  }

  flush(): void {
    let done = 0;
    while (done < this.at) done += writeSync(this.fd, this.buffer, done, this.at - done);
    this.at = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Reads a file front to back in chunks that hold whole records (see {@link AppendFile.writeRecord}). */
export class RecordReader {
  private readonly fd: number;
  private chunk: Buffer;
  private start = 0;
  private end = 0;
  private eof = false;
  // The record {@link next} found.
  hash = 0;
  recordStart = 0;
  recordEnd = 0;

  constructor(path: string, chunkBytes = 256 << 10) {
    this.fd = openSync(path, "r");
    this.chunk = Buffer.allocUnsafe(Math.max(8, Math.min(chunkBytes, fstatSync(this.fd).size)));
  }

  /** The buffer holding the current record (valid until the next call). */
  get buffer(): Buffer {
    return this.chunk;
  }

  /** Moves to the next record; false at the end of the file. */
  next(): boolean {
    if (this.end - this.start < 8 && !this.fill(8)) return false;
    const length = this.chunk.readUInt32LE(this.start);
    if (this.end - this.start < 8 + length) this.fill(8 + length);
    this.hash = this.chunk.readInt32LE(this.start + 4);
    this.recordStart = this.start + 8;
    this.recordEnd = this.recordStart + length;
    this.start = this.recordEnd;
    return true;
  }

  /** Refills the chunk (records already returned become invalid); whether `bytes` are then available. */
  private fill(bytes: number): boolean {
    const unread = this.end - this.start;
    const target = bytes > this.chunk.length ? Buffer.allocUnsafe(bytes) : this.chunk;
    this.chunk.copy(target, 0, this.start, this.end);
    this.chunk = target;
    this.start = 0;
    this.end = unread;
    while (this.end < this.chunk.length && !this.eof) {
      const n = readSync(this.fd, this.chunk, this.end, this.chunk.length - this.end, null);
      if (n === 0) this.eof = true;
      this.end += n;
    }
    if (this.end >= bytes) return true;
    if (this.end === 0) return false;
    throw new Error(`spill file truncated: ${this.end} stray bytes at the end`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Reads a file of bytes front to back. */
export class ByteReader {
  private readonly fd: number;
  private readonly chunk: Buffer;
  private at = 0;
  private end = 0;

  constructor(path: string, chunkBytes = 256 << 10) {
    this.fd = openSync(path, "r");
    this.chunk = Buffer.allocUnsafe(Math.max(1, Math.min(chunkBytes, fstatSync(this.fd).size)));
  }

  /** The next byte; throws past the end. */
  next(): number {
    if (this.at === this.end) {
      this.end = readSync(this.fd, this.chunk, 0, this.chunk.length, null);
      this.at = 0;
      if (this.end === 0) throw new Error("spill route ended early");
    }
    return this.chunk[this.at++]!;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * The records of a spill file in chunks of whole records, each chunk a buffer of its own, so
 * a consumer may keep referring to a chunk's bytes until it asks for the next one.
 */
export function* recordChunks(path: string, chunkBytes = 4 << 20): Generator<Buffer> {
  const fd = openSync(path, "r");
  try {
    let left = fstatSync(fd).size;
    let carry = Buffer.alloc(0);
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.max(Math.min(chunkBytes, left + carry.length), carry.length + 8));
      carry.copy(chunk);
      let end = carry.length;
      while (end < chunk.length) {
        const n = readSync(fd, chunk, end, chunk.length - end, null);
        if (n === 0) break;
        end += n;
        left -= n;
      }
      // Whole records only; a record longer than the chunk gets a chunk of its own size.
      let at = 0;
      while (at + 8 <= end && at + 8 + chunk.readUInt32LE(at) <= end) at += 8 + chunk.readUInt32LE(at);
      if (at === 0) {
        if (end === 0) return;
        if (end < chunk.length) throw new Error(`spill file truncated: ${end} stray bytes at the end`);
        const need = end >= 8 ? 8 + chunk.readUInt32LE(0) : 8;
        carry = Buffer.allocUnsafe(need);
        chunk.copy(carry, 0, 0, end);
        const n = readSync(fd, carry, end, need - end, null);
        left -= n;
        if (end + n < need) throw new Error("spill file truncated");
        yield carry;
        carry = Buffer.alloc(0);
        continue;
      }
      yield chunk.subarray(0, at);
      carry = Buffer.from(chunk.subarray(at, end));
    }
  } finally {
    closeSync(fd);
  }
}
