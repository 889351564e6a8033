import assert from "node:assert/strict";
import fc from "fast-check";
import { FieldNormaliser, pairHash } from "../../../task/src/records/byte-normaliser.ts";
import { normalise } from "../../../task/src/records/record-schema.ts";

const normaliser = new FieldNormaliser();

/** Normalises `value` through the byte path, padded with bytes that must not be read. */
function viaBytes(value: string): { text: string; hash: number; needsQuotes: boolean } {
  const src = Buffer.concat([Buffer.from("X,"), Buffer.from(value, "utf8"), Buffer.from(",Y")]);
  const out = Buffer.alloc(src.length * 2 + 8, 0x7e);
  const end = normaliser.normalise(src, 2, src.length - 2, out, 3, true);
  return { text: out.toString("utf8", 3, end), hash: normaliser.hash, needsQuotes: normaliser.needsQuotes };
}

/** Strings mixing what matters: ASCII letters, padding of every kind, quoting characters, non-ASCII cases. */
const tricky = fc
  .array(
    fc.oneof(
      fc.constantFrom("A", "b", "Z", " ", "\t", "\u00a0", "\u3000", "\u2028", "\ufeff", "\u0085", "\u180e", "\r", "\n", '"', ","),
      fc.constantFrom("É", "é", "Ж", "Σ", "ΑΣ", "ς", "İ", "Ⱥ", "ẞ", "K", "東", "🙂", "𐐀", "Ǆ", "ǅ"),
      fc.string({ unit: "binary", maxLength: 3 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(""))
  .filter((s) => Buffer.from(s, "utf8").toString("utf8") === s); // lone surrogates aren't UTF-8

describe("FieldNormaliser", () => {
  it("trims and lowercases exactly like normalise(), for any text (property)", () => {
    fc.assert(
      fc.property(tricky, (value) => {
        assert.equal(viaBytes(value).text, normalise(value));
      }),
      { numRuns: 5000 },
    );
  });

  it("maps every BMP character as normalise() does", () => {
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const value = `a${String.fromCharCode(c)}b ${String.fromCharCode(c)}`;
      assert.equal(viaBytes(value).text, normalise(value), `U+${c.toString(16)}`);
    }
  });

  it("hashes equal values equally whichever path normalised them", () => {
    // "İ" lowercases to "i̇" through the string path; the same text typed as i + U+0307 takes the byte path.
    assert.equal(viaBytes("İ").text, viaBytes("i\u0307").text);
    assert.equal(viaBytes("İ").hash, viaBytes("i\u0307").hash);
    assert.equal(viaBytes("  ΑΣ ").hash, viaBytes("ας").hash);
    fc.assert(
      fc.property(tricky, tricky, (a, b) => {
        if (normalise(a) === normalise(b)) assert.equal(viaBytes(a).hash, viaBytes(b).hash);
      }),
    );
  });

  it("flags values that need quoting in CSV", () => {
    assert.equal(viaBytes(" a b ").needsQuotes, false);
    for (const v of ['a"b', "a,b", "a\rb", "a\nb"]) assert.equal(viaBytes(v).needsQuotes, true, JSON.stringify(v));
    assert.equal(viaBytes("Σ,").needsQuotes, true);
  });

  it("writes nothing for a value that is only white space", () => {
    assert.equal(viaBytes(" \t\u00a0\u3000 ").text, "");
  });
});

describe("pairHash", () => {
  it("depends on both hashes and on their order", () => {
    assert.notEqual(pairHash(1, 2), pairHash(2, 1));
    assert.notEqual(pairHash(1, 2), pairHash(1, 3));
  });
});
