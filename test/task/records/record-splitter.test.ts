import assert from "node:assert/strict";
import fc from "fast-check";
import { CsvTokenizer } from "../../support/simple-transform/csv-tokenizer.ts";
import { RecordTooLong } from "../../../task/src/records/record-limit.ts";
import { findHeader, lineFeedsBeforeRecordAt, RecordSplitter } from "../../../task/src/records/record-splitter.ts";

/** Bytes that stress record boundaries: quotes in every position, separators, line ends. */
const piece = fc.constantFrom('"', '""', ",", "\n", "\r\n", "\r", "a", "Bc", " ", "é", "東", '"x,\ny"', 'q"q');
const csvBytes = fc
  .tuple(fc.boolean(), fc.array(piece, { maxLength: 40 }))
  .map(([bom, parts]) => Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(parts.join(""), "utf8")]));

function split(input: Buffer, cuts: number[], target: number): Buffer[] {
  const splitter = new RecordSplitter(target);
  const batches: Buffer[] = [];
  let at = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    if (cut <= at || cut >= input.length) continue;
    batches.push(...splitter.push(input.subarray(at, cut)));
    at = cut;
  }
  batches.push(...splitter.push(input.subarray(at)));
  batches.push(splitter.end());
  return batches;
}

/** Records of `texts` tokenized as one input by the oracle tokenizer (test/support), or each text on its own (fields only). */
function records(texts: string[]): string[][] {
  const rows: string[][] = [];
  const tokenizer = new CsvTokenizer((fields) => rows.push(fields));
  texts.forEach((t, i) => {
    tokenizer.push(t, undefined, i === texts.length - 1);
    if (i < texts.length - 1) assert.equal(tokenizer.hasOpenRecord(), false, `record open at the end of batch ${i}`);
  });
  return rows;
}

describe("RecordSplitter", () => {
  it("cuts only at record ends: batches parsed apart give the records of the whole (property)", () => {
    fc.assert(
      fc.property(csvBytes, fc.array(fc.nat(200), { maxLength: 6 }), fc.integer({ min: 1, max: 24 }), (input, cuts, target) => {
        const batches = split(input, cuts, target);
        const body = input.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])) ? input.subarray(3) : input;
        assert.deepEqual(Buffer.concat(batches), body);
        for (const b of batches.slice(0, -1)) {
          assert.equal(b[b.length - 1], 10, "a batch before the last ends with a line feed");
          assert.ok(b.length >= target);
        }
        const whole = records([body.toString("latin1")]);
        assert.deepEqual(records(batches.map((b) => b.toString("latin1"))), whole);
      }),
      { numRuns: 3000 },
    );
  });

  it("gives each batch its own memory, so it can be transferred", () => {
    const splitter = new RecordSplitter(4);
    const [batch] = splitter.push(Buffer.from("a,b\nc,d\ne"));
    assert.equal(batch!.toString(), "a,b\n");
    assert.equal(batch!.byteOffset, 0);
    assert.equal(batch!.buffer.byteLength, batch!.length);
  });

  it("keeps a line feed inside quotes, and a quote that closes across chunks, in one record", () => {
    assert.deepEqual(split(Buffer.from('k,"a\nb"\nc,d\n'), [4, 7], 1).map(String), ['k,"a\nb"\n', "c,d\n", ""]);
    assert.deepEqual(split(Buffer.from('k,"a""\nb"\nc\n'), [6], 1).map(String), ['k,"a""\nb"\n', "c\n", ""]);
  });

  it("treats a quote inside an unquoted field as text", () => {
    assert.deepEqual(split(Buffer.from('ab"c,d\ne,f\n'), [], 1).map(String), ['ab"c,d\n', "e,f\n", ""]);
  });
});

describe("findHeader", () => {
  it("skips blank lines and finds the first record, quotes and all", () => {
    assert.deepEqual(findHeader(Buffer.from('\n\r\n"K\ney",Data\nx,y\n'), false), { start: 3, end: 15, lineFeedsBefore: 2 });
  });

  it("finds a header without a line feed only in the last batch", () => {
    assert.deepEqual(findHeader(Buffer.from("Key,Data"), true), { start: 0, end: 8, lineFeedsBefore: 0 });
    assert.equal(findHeader(Buffer.from("\n\n"), true), undefined);
  });

  it("stops at a record past the limit, after giving every batch before it, holding no more than target + limit", () => {
    const records = Array.from({ length: 50 }, (_, i) => `r${i},v\n`).join("");
    const input = Buffer.from(records + 'x,"open\n' + "y\n".repeat(200));
    const splitter = new RecordSplitter(16, undefined, 100);
    const batches: Buffer[] = [];
    let error: unknown;
    try {
      for (let at = 0; at < input.length; at += 7) batches.push(...splitter.push(input.subarray(at, at + 7)));
      batches.push(splitter.end());
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof RecordTooLong, String(error));
    const given = Buffer.concat(batches).toString();
    assert.ok(records.startsWith(given), "batches are whole records from the start");
    // The record starts this many line feeds into what the splitter held.
    assert.deepEqual(error.where, { lineFeedsIntoRegion: 50 - given.split("\n").length + 1 });
    assert.throws(() => splitter.end(), RecordTooLong);
  });

  it("counts the line feeds before the record holding a position, quoted ones included", () => {
    const bytes = Buffer.from('a,b\n"x\ny",z\nc,"d\n\ne"\nf');
    assert.equal(lineFeedsBeforeRecordAt(bytes, 2), 0);
    assert.equal(lineFeedsBeforeRecordAt(bytes, 6), 1); // inside "x\ny"
    assert.equal(lineFeedsBeforeRecordAt(bytes, 16), 3); // inside "d\n\ne"
    assert.equal(lineFeedsBeforeRecordAt(bytes, bytes.length - 1), 6);
  });
});
