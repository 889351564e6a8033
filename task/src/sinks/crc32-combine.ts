/**
 * CRC-32 (the gzip polynomial) of a concatenation from the CRCs of its parts, as zlib's
 * `crc32_combine`: parts compressed in parallel are joined into one gzip member, whose
 * trailer needs the CRC of all of it.
 */

const POLY = 0xedb88320;

/** a(x) * b(x) mod p(x), with polynomials in reflected bit order (zlib's multmodp). */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if ((a & m) !== 0) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^n) mod p(x), for n = 0..31. */
const X2N = new Uint32Array(32);
{
  let p = 0x40000000; // x^1
  X2N[0] = p;
  for (let n = 1; n < 32; n++) X2N[n] = p = multModP(p, p);
}

/** x^(8 * bytes) mod p(x): the operator that shifts a CRC over `bytes` zero bytes. */
function shiftOperator(bytes: number): number {
  let p = 0x80000000; // x^0
  let k = 3; // 8 = 2^3 bits per byte
  // `bytes` may exceed 2^32 (parts up to 1 GB compressed hold more raw bytes), so no bit ops on it.
  while (bytes > 0) {
    if (bytes % 2 === 1) p = multModP(X2N[k & 31]!, p);
    bytes = Math.floor(bytes / 2);
    k++;
  }
  return p;
}

/** CRC-32 of A followed by B, from `crcA`, `crcB` and the length of B in bytes. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(shiftOperator(lengthB), crcA >>> 0) ^ (crcB >>> 0)) >>> 0;
}
