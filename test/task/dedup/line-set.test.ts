import assert from "node:assert/strict";
import fc from "fast-check";
import { LineSet } from "../../../task/src/dedup/line-set.ts";

/** Offers `batches` of lines; returns which were new and the bytes the set handed out. */
function offer(set: LineSet, batches: string[][], hashOf: (line: string) => number) {
  const accepted: boolean[] = [];
  let out = "";
  for (const lines of batches) {
    const src = Buffer.from(lines.join(""));
    set.begin(src);
    let at = 0;
    for (const line of lines) {
      const end = at + Buffer.byteLength(line);
      accepted.push(set.add(hashOf(line), at, end));
      at = end;
    }
    const added = set.end();
    for (const a of added) assert.equal(a.lines.toString().split("\n").length - 1, a.rows);
    out += Buffer.concat(added.map((a) => a.lines)).toString();
  }
  return { accepted, out };
}

const lines = fc.array(fc.array(fc.constantFrom("a\n", "b\n", "ab\n", "é\n", "a,b\n", "zz\n", "\n"), { maxLength: 20 }), { maxLength: 8 });

describe("LineSet", () => {
  it("keeps exactly the first occurrences, and hands out their bytes in order (property)", () => {
    fc.assert(
      fc.property(lines, fc.constantFrom(1, 3, 1 << 20), (batches, blockBytes) => {
        const seen = new Set<string>();
        const firsts = batches.flat().filter((l) => !seen.has(l) && seen.add(l));
        const { accepted, out } = offer(new LineSet(0, blockBytes), batches, (l) => l.length * 7919);
        assert.deepEqual(batches.flat().filter((_, i) => accepted[i]), firsts);
        assert.equal(out, firsts.join(""));
      }),
      { numRuns: 1000 },
    );
  });

  it("gives the same result when sized for more lines than it gets", () => {
    const { accepted, out } = offer(new LineSet(5000, 256), [["a\n", "b\n", "a\n"], ["c\n", "b\n"]], (l) => l.charCodeAt(0));
    assert.deepEqual(accepted, [true, true, false, true, false]);
    assert.equal(out, "a\nb\nc\n");
  });

  it("tells lines apart whose hashes collide", () => {
    const { accepted } = offer(new LineSet(), [["x,1\n", "y,2\n", "x,1\n"], ["y,2\n", "z,3\n"]], () => 42);
    assert.deepEqual(accepted, [true, true, false, false, true]);
  });

  it("grows past its first table and block sizes", () => {
    const set = new LineSet(0, 64);
    const many = Array.from({ length: 5000 }, (_, i) => `line-${i % 3000}\n`);
    const { accepted } = offer(set, [many.slice(0, 2500), many.slice(2500)], (l) => Math.imul(Number(l.slice(5, -1)), 2654435761));
    assert.equal(accepted.filter(Boolean).length, 3000);
    assert.equal(set.size, 3000);
    assert.equal(set.has(Math.imul(1234, 2654435761), 0, 0), false);
  });
});
