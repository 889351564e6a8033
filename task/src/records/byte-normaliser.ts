/**
 * Trim + lowercase of one field, straight from UTF-8 bytes to UTF-8 bytes: the same result
 * as `normalise()` (`String.prototype.trim` then `toLowerCase`) without decoding to a string.
 * It is the per-byte hot loop of the transform engine, so it works on tables and avoids
 * allocation.
 *
 * The tables are built from the running engine's own `trim` and `toLowerCase`, so the two
 * paths cannot disagree on which characters are white space or how a letter lowercases.
 * Fields holding a character the tables do not map one-to-one (capital sigma, whose lowercase
 * depends on the next letter; İ, whose lowercase is two characters; anything outside the
 * Basic Multilingual Plane) go through `normalise()` on a decoded string instead.
 *
 * The hash of a value is taken over its normalised UTF-8 bytes, so it is the same whichever
 * way the value was normalised.
 */
import { needsQuoting, needsQuotingBytes } from "./rfc4180.ts";
import { normalise } from "./record-schema.ts";

/** Marks a code point whose lowercase is not a simple one-to-one mapping. */
const COMPLEX_MAPPING = 0xd800;
const CAPITAL_SIGMA = 0x3a3;

/** Lowercase of each BMP code point, or {@link COMPLEX_MAPPING}. */
const LOWER = new Uint16Array(0x10000);
/** 1 for BMP code points that `String.prototype.trim` removes. */
const SPACE = new Uint8Array(0x10000);
/** ASCII bytes: lowercase. */
const ASCII_LOWER = new Uint8Array(128);
/** ASCII bytes that `trim` removes. */
const ASCII_SPACE = new Uint8Array(128);

for (let c = 0; c < 0x10000; c++) {
  const s = String.fromCharCode(c);
  const lower = s.toLowerCase();
  const surrogate = c >= 0xd800 && c <= 0xdfff;
  LOWER[c] = lower.length === 1 && c !== CAPITAL_SIGMA && !surrogate ? lower.charCodeAt(0) : COMPLEX_MAPPING;
  SPACE[c] = !surrogate && s.trim() === "" ? 1 : 0;
}
for (let c = 0; c < 128; c++) {
  ASCII_LOWER[c] = LOWER[c]!;
  ASCII_SPACE[c] = SPACE[c]!;
}

const COMPLEX = -1;

/**
 * Normalises fields into an output buffer. One instance per thread; the results of the last
 * call are left in its fields (no allocation per call).
 */
export class FieldNormaliser {
  /** {@link hashBytes} of the value written by the last call. */
  hash = 0;
  /** The last value holds `"`, `,`, CR or LF, so it must be quoted in CSV. */
  needsQuotes = false;
  // DataViews of the last buffers seen, for reading and writing four bytes at a time.
  private src: Buffer | undefined;
  private srcView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private out: Buffer | undefined;
  private outView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

  /**
   * Writes the normalised value of the UTF-8 bytes `src[start, end)` to `out` at `at` and
   * returns where it ends (so the value's UTF-8 length is the result minus `at`). `src` must
   * be valid UTF-8; `out` needs room for 3/2 of the input (the most lowercasing can grow) plus 4
   * (the last bytes are written four at a time).
   * `mayNeedQuotes` false promises the bytes hold no `"`, `,`, CR or LF (the batch transform knows).
   */
  normalise(src: Buffer, start: number, end: number, out: Buffer, at: number, mayNeedQuotes: boolean): number {
    if (src !== this.src) {
      this.src = src;
      this.srcView = new DataView(src.buffer, src.byteOffset, src.length);
    }
    const outView = this.viewOfOut(out);
    const o = this.normaliseBytes(src, this.srcView, start, end, out, outView, at);
    if (o === COMPLEX) return this.normaliseText(src.toString("utf8", start, end), out, at);
    this.hash = hashBytes(outView, out, at, o);
    this.needsQuotes = mayNeedQuotes && needsQuotingBytes(out, at, o);
    return o;
  }

  /** Writes `normalise(raw)` to `out` at `at`; returns where it ends. */
  normaliseText(raw: string, out: Buffer, at: number): number {
    return this.writeNormalised(normalise(raw), out, at);
  }

  /** Writes a value normalised elsewhere to `out` at `at` (room: 3 bytes per UTF-16 unit); returns where it ends. */
  writeNormalised(value: string, out: Buffer, at: number): number {
    const o = at + out.write(value, at, "utf8");
    this.hash = hashBytes(this.viewOfOut(out), out, at, o);
    this.needsQuotes = needsQuoting(value);
    return o;
  }

  private viewOfOut(out: Buffer): DataView {
    if (out !== this.out) {
      this.out = out;
      this.outView = new DataView(out.buffer, out.byteOffset, out.length);
    }
    return this.outView;
  }

  private normaliseBytes(src: Uint8Array, sv: DataView, start: number, end: number, out: Uint8Array, ov: DataView, at: number): number {
    let s = start;
    let e = end;
    // Trim the left.
    while (s < e) {
      const b = src[s]!;
      if (b < 0x80) {
        if (ASCII_SPACE[b] === 0) break;
        s++;
      } else {
        const cp = decodeAt(src, s, b);
        if (cp < 0 || SPACE[cp] === 0) break;
        s += b < 0xe0 ? 2 : 3;
      }
    }
    // Trim the right.
    while (e > s) {
      const b = src[e - 1]!;
      if (b < 0x80) {
        if (ASCII_SPACE[b] === 0) break;
        e--;
      } else {
        let lead = e - 1;
        while (lead > s && (src[lead]! & 0xc0) === 0x80) lead--;
        const cp = decodeAt(src, lead, src[lead]!);
        if (cp < 0 || SPACE[cp] === 0) break;
        e = lead;
      }
    }
    let o = at;
    let i = s;
    const readable = src.length - 4;
    while (i < e) {
      // Four ASCII bytes at once: A-Z are the bytes >= 0x41 and not >= 0x5b; add 0x20 to them.
      // The last one to three bytes too, reading (and writing) past them: `out` has room, and
      // what lands past the value is overwritten by whatever comes next.
      if (i <= readable) {
        const left = e - i;
        const valid = left >= 4 ? -1 : (1 << (8 * left)) - 1;
        const w = sv.getInt32(i, true);
        if ((w & valid & 0x80808080) === 0) {
          const upper = (w + 0x3f3f3f3f) & ~(w + 0x25252525) & 0x80808080;
          ov.setInt32(o, w | (upper >>> 2), true);
          const n = left >= 4 ? 4 : left;
          i += n;
          o += n;
          continue;
        }
      }
      const b = src[i]!;
      if (b < 0x80) {
        out[o++] = ASCII_LOWER[b]!;
        i++;
        continue;
      }
      let cp: number;
      if (b < 0xe0) {
        cp = ((b & 0x1f) << 6) | (src[i + 1]! & 0x3f);
        i += 2;
      } else if (b < 0xf0) {
        cp = ((b & 0x0f) << 12) | ((src[i + 1]! & 0x3f) << 6) | (src[i + 2]! & 0x3f);
        i += 3;
      } else {
        return COMPLEX;
      }
      const m = LOWER[cp]!;
      if (m === COMPLEX_MAPPING) return COMPLEX;
      if (m < 0x80) {
        out[o++] = m;
      } else if (m < 0x800) {
        out[o++] = 0xc0 | (m >> 6);
        out[o++] = 0x80 | (m & 0x3f);
      } else {
        out[o++] = 0xe0 | (m >> 12);
        out[o++] = 0x80 | ((m >> 6) & 0x3f);
        out[o++] = 0x80 | (m & 0x3f);
      }
    }
    return o;
  }
}

/**
 * MurmurHash3 (x86, 32-bit) of `bytes[start, end)`, reading four bytes at a time through
 * `view` (a DataView of the same memory), without the final mix ({@link pairHash} does it).
 */
export function hashBytes(view: DataView, bytes: Uint8Array, start: number, end: number): number {
  let h = 0x2f0f3c6d;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    let k = Math.imul(view.getInt32(i, true), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = end - i;
  if (tail > 0) {
    let k = bytes[i]!;
    if (tail > 1) k |= bytes[i + 1]! << 8;
    if (tail > 2) k |= bytes[i + 2]! << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  return h ^ (end - start);
}

/** The BMP code point of the sequence led by `b` at `i`, or -1 for a 4-byte sequence. */
function decodeAt(src: Uint8Array, i: number, b: number): number {
  if (b < 0xe0) return ((b & 0x1f) << 6) | (src[i + 1]! & 0x3f);
  if (b < 0xf0) return ((b & 0x0f) << 12) | ((src[i + 1]! & 0x3f) << 6) | (src[i + 2]! & 0x3f);
  return -1;
}

/** Mixes two field hashes into a well-spread 32-bit hash of the pair (a Murmur3 round and its finaliser). */
export function pairHash(keyHash: number, dataHash: number): number {
  let k = Math.imul(dataHash, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  let h = keyHash ^ Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
