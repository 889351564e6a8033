import { isAscii, isUtf8 } from "node:buffer";
import type { CsvTokenizer, FragmentDecoder } from "./csv-tokenizer.ts";

const LF = 10;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Test oracle: the byte front-end of the oracle's tokenizer: strips a UTF-8 byte-order mark, cuts the byte stream at
 * line feeds (so a multi-byte character is never split), and decodes each region once.
 * Regions that are not valid UTF-8 go to the tokenizer as latin1 with a decoder that checks
 * each field, so one bad byte rejects only its own row.
 */
export class CsvByteReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private started = false;

  constructor(private readonly tokenizer: CsvTokenizer) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (!this.started) {
      if (this.pendingBytes + chunk.length < BOM.length) {
        this.stash(chunk);
        return;
      }
      chunk = this.takePending(chunk);
      this.started = true;
      if (chunk.subarray(0, 3).equals(BOM)) chunk = chunk.subarray(3);
    }
    const last = chunk.lastIndexOf(LF);
    if (last === -1) {
      this.stash(chunk);
      return;
    }
    const region = this.takePending(chunk.subarray(0, last + 1));
    this.feed(region, false);
    if (last + 1 < chunk.length) this.stash(chunk.subarray(last + 1));
  }

  /** Flushes the last line (which may lack a line feed) and any record left open. */
  end(): void {
    let rest = this.takePending(Buffer.alloc(0));
    if (!this.started && rest.subarray(0, 3).equals(BOM)) rest = rest.subarray(3);
    this.feed(rest, true);
  }

  private stash(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
  }

  private takePending(chunk: Buffer): Buffer {
    if (this.pending.length === 0) return chunk;
    const all = Buffer.concat([...this.pending, chunk]);
    this.pending = [];
    this.pendingBytes = 0;
    return all;
  }

  private feed(region: Buffer, final: boolean): void {
    if (isAscii(region)) this.tokenizer.push(region.toString("latin1"), undefined, final);
    else if (isUtf8(region)) this.tokenizer.push(region.toString("utf8"), undefined, final);
    else this.tokenizer.push(region.toString("latin1"), decodeLatin1Utf8, final);
  }
}

/**
 * The decoder for regions that are not valid UTF-8 and were read as latin1: re-reads a
 * fragment as the bytes it came from and decodes them as UTF-8, flagging invalid ones.
 */
export const decodeLatin1Utf8: FragmentDecoder = (fragment) => {
  const bytes = Buffer.from(fragment, "latin1");
  return { text: bytes.toString("utf8"), valid: isUtf8(bytes) };
};
