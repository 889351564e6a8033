import assert from "node:assert/strict";
import fc from "fast-check";
import { formatRow } from "../../../task/src/records/rfc4180.ts";
import { RowBlocks, type RowBlock } from "../../../task/src/sinks/row-blocks.ts";

const fieldArb = fc.oneof(fc.string({ maxLength: 12 }), fc.stringMatching(/^[a",\r\n]{0,5}$/));
const rowArb = fc.tuple(fieldArb, fieldArb).map(([key, data]) => formatRow([key, data]));

/** Pushes `pieces` (arrays of rows) through one RowBlocks; returns every block, the flushed one last. */
function cut(pieces: string[][], blockBytes: number): { text: string; rows: number }[] {
  const blocks = new RowBlocks(blockBytes);
  const out: RowBlock[] = [];
  for (const rows of pieces) out.push(...blocks.push(Buffer.from(rows.join("")), rows.length));
  const last = blocks.flush();
  if (last) out.push(last);
  return out.map((b) => ({ text: b.data.toString(), rows: b.rows }));
}

/** The rule, row by row: a block ends at the first row end at or past `blockBytes` from its start. */
function expected(rows: string[], blockBytes: number): { text: string; rows: number }[] {
  const out: { text: string; rows: number }[] = [];
  let text = "";
  let n = 0;
  for (const row of rows) {
    text += row;
    n++;
    if (Buffer.byteLength(text) >= blockBytes) {
      out.push({ text, rows: n });
      text = "";
      n = 0;
    }
  }
  if (n > 0) out.push({ text, rows: n });
  return out;
}

describe("RowBlocks", () => {
  it("cuts a block at the first row end at or past the block size, whatever pieces the rows came in (property)", () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 80 }), fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 120 }), (rows, at, blockBytes) => {
        const ends = [...new Set(at.map((n) => n % (rows.length + 1)))].sort((a, b) => a - b);
        const pieces = [...ends, rows.length].map((end, k) => rows.slice(k === 0 ? 0 : ends[k - 1], end)).filter((p) => p.length > 0);
        assert.deepEqual(cut(pieces, blockBytes), expected(rows, blockBytes));
      }),
      { numRuns: 500 },
    );
  });

  it("does not cut at a line feed inside a quoted field", () => {
    const rows = ['a,"x\ny\nz"\n', "b,c\n"];
    assert.deepEqual(cut([rows], 3), [
      { text: rows[0], rows: 1 },
      { text: rows[1], rows: 1 },
    ]);
  });

  it("gives a view of the piece when a block lies within it, and a copy when it spans pieces", () => {
    const blocks = new RowBlocks(4);
    const piece = Buffer.from("a,b\nc,d\n");
    const [first] = blocks.push(piece, 2);
    assert.equal(first!.data.buffer, piece.buffer);
    const small = new RowBlocks(6);
    assert.deepEqual(small.push(Buffer.from("a,b\n"), 1), []);
    const [spanning] = small.push(Buffer.from("c,d\n"), 1);
    assert.equal(spanning!.data.toString(), "a,b\nc,d\n");
    assert.equal(small.flush(), undefined);
  });

  it("refuses a write that is not whole rows, or whose row count is wrong", () => {
    assert.throws(() => new RowBlocks(10).push(Buffer.from("a,b\nc,"), 1), /holds 1 row ends, the last at byte 4 of 6/);
    assert.throws(() => new RowBlocks(10).push(Buffer.from("a,b\nc,d\n"), 3), /said to hold 3 whole rows holds 2/);
    assert.throws(() => new RowBlocks(10).push(Buffer.from('a,"b\n'), 1), /holds 0 row ends/);
    assert.throws(() => new RowBlocks(0), /at least 1/);
  });
});
