import assert from "node:assert/strict";
import { crc32 } from "node:zlib";
import fc from "fast-check";
import { crc32Combine } from "../../../task/src/sinks/crc32-combine.ts";

describe("crc32Combine", () => {
  it("gives the CRC-32 of the concatenation (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
        assert.equal(crc32Combine(crc32(a), crc32(b), b.length), crc32(Buffer.concat([a, b])));
      }),
      { numRuns: 500 },
    );
  });

  it("handles a second part longer than 4 GiB (as a length)", () => {
    // Combining with 2^32 + 5 zero bytes equals combining twice: 2^32 zeros, then 5 zeros.
    const zeros5 = crc32(Buffer.alloc(5));
    const step = crc32Combine(crc32Combine(123, 0, 2 ** 31), 0, 2 ** 31);
    assert.equal(crc32Combine(123, zeros5, 2 ** 32 + 5), crc32Combine(step, zeros5, 5));
  });
});
