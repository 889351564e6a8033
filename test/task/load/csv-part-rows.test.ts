import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { csvPartBatches, type RowBatch } from "../../../task/src/load/csv-part-rows.ts";

async function* chunks(...parts: Array<string | Buffer>): AsyncIterable<Uint8Array> {
  for (const p of parts) yield typeof p === "string" ? Buffer.from(p) : p;
}

async function collect(source: AsyncIterable<RowBatch>): Promise<RowBatch[]> {
  const out: RowBatch[] = [];
  for await (const b of source) out.push(b);
  return out;
}

describe("csvPartBatches", () => {
  it("yields the rows after the key,data header in batches of at most the given size", async () => {
    const batches = await collect(csvPartBatches(chunks("key,data\na,1\nb,2\nc,3\n"), "file:///p", 2));
    assert.deepEqual(batches, [
      { keys: ["a", "b"], data: ["1", "2"] },
      { keys: ["c"], data: ["3"] },
    ]);
  });

  it("reads RFC 4180 quoting, across chunk boundaries, including a multi-byte character split between chunks", async () => {
    const text = Buffer.from('key,data\n"a,b","say ""hi"""\n"multi\nline",ü\n');
    const cut = text.indexOf(Buffer.from("ü")) + 1;
    const batches = await collect(csvPartBatches(chunks(text.subarray(0, 15), text.subarray(15, cut), text.subarray(cut)), "file:///p", 100));
    assert.deepEqual(batches, [{ keys: ["a,b", "multi\nline"], data: ['say "hi"', "ü"] }]);
  });

  it("yields nothing for a header-only part", async () => {
    assert.deepEqual(await collect(csvPartBatches(chunks("key,data\n"), "file:///p", 10)), []);
  });

  it("fails on a wrong header, a short or long row, an open quote, invalid UTF-8, or no header", async () => {
    const cases: Array<[string | Buffer, RegExp]> = [
      ["Key,Data\na,1\n", /line 1: the header is/],
      ["key,data\na\n", /line 2: 1 fields, not 2/],
      ["key,data\na,1,x\n", /line 2: 3 fields, not 2/],
      ['key,data\na,"1\n', /line 2: a quoted field is not closed/],
      [Buffer.concat([Buffer.from("key,data\na,"), Buffer.from([0xff]), Buffer.from("\n")]), /line 2: not valid UTF-8/],
      ["", /no key,data header/],
    ];
    for (const [input, message] of cases) {
      await assert.rejects(
        collect(csvPartBatches(chunks(input), "file:///p", 10)),
        (e: unknown) => e instanceof EtlError && message.test(e.message) && e.location.file === "file:///p",
        String(message),
      );
    }
  });
});
