import assert from "node:assert/strict";
import fc from "fast-check";
import { BatchTransformer } from "../../../task/src/transform/batch-transform.ts";
import { inputBatches } from "../../../task/src/transform/input-batches.ts";
import { chunksOf, simplePathLines } from "./support/reference-pipeline.ts";

const value = fc
  .array(fc.constantFrom("a", "B", " ", "\t", "\u00a0", ",", '"', "\n", "\r\n", "\r", "É", "Σ", "İ", "東", "🙂", "x"), { maxLength: 6 })
  .map((cs) => cs.join(""));
const renderField = ([v, quote]: [string, boolean]) => (quote || /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const csvInput = fc
  .record({
    header: fc.constantFrom("Key,Data", "data,KEY", "id, key ,Data"),
    rows: fc.array(fc.array(fc.tuple(value, fc.boolean()), { maxLength: 4 }), { maxLength: 30 }),
    eol: fc.constantFrom("\n", "\r\n"),
    blankLines: fc.boolean(),
    ending: fc.constantFrom("", "\n", 'k,"never closed\nstill'),
    badBytes: fc.array(fc.nat(400), { maxLength: 2 }),
  })
  .map(({ header, rows, eol, blankLines, ending, badBytes }) => {
    const lines = rows.map((r) => r.map(renderField).join(","));
    const text = [header, ...lines].join(blankLines ? eol + eol : eol) + eol + ending;
    const bytes = Buffer.from(text, "utf8");
    // A byte that is never valid UTF-8, somewhere after the header.
    for (const at of badBytes) if (at > header.length + 1 && at < bytes.length) bytes[at] = 0xff;
    return bytes;
  });

const transformers = new Map<number, BatchTransformer>();

async function viaBatches(input: Buffer, cuts: number[], target: number, maxFieldBytes = 65535) {
  const transformer = transformers.get(maxFieldBytes) ?? new BatchTransformer({ maxFieldBytes });
  transformers.set(maxFieldBytes, transformer);
  let clean = "";
  let rejected = "";
  let rowsRead = 0;
  let line = 0;
  const hashes = new Map<string, number>();
  for await (const batch of inputBatches(chunksOf(input, cuts), "f.csv", target)) {
    line = batch.firstLine ?? line;
    const r = transformer.transform(batch.bytes, batch.layout, batch.final);
    let start = 0;
    r.cleanEnds.forEach((end, i) => {
      const text = r.clean.toString("utf8", start, end);
      const known = hashes.get(text);
      if (known !== undefined) assert.equal(r.hashes[i], known, `one hash for ${JSON.stringify(text)}`);
      hashes.set(text, r.hashes[i]!);
      start = end;
    });
    assert.equal(start, r.clean.length);
    clean += r.clean.toString("utf8");
    rejected += r.rejected.map((t, i) => `${line + r.rejectedLines[i]!},${t}`).join("");
    rowsRead += r.rowsRead;
    line += r.lineFeeds;
  }
  return { clean, rejected, rowsRead };
}

describe("BatchTransformer (through inputBatches)", () => {
  it("makes exactly the simple transform's (test/support oracle) clean lines and rejected rows, however the input is cut (property)", async () => {
    await fc.assert(
      fc.asyncProperty(csvInput, fc.array(fc.nat(500), { maxLength: 4 }), fc.integer({ min: 1, max: 64 }), async (input, cuts, target) => {
        const expected = simplePathLines(input);
        const actual = await viaBatches(input, cuts, target);
        assert.equal(actual.clean, expected.clean);
        assert.equal(actual.rejected, expected.rejected);
        assert.equal(actual.rowsRead, expected.counts.rowsRead);
      }),
      { numRuns: 1500 },
    );
  });

  it("applies the field byte limit to the normalised value", async () => {
    const input = Buffer.from("Key,Data\n  abcd  ,x\nabcde,x\nk,ÉÉ\nk,ÉÉa\n");
    const actual = await viaBatches(input, [], 1 << 20, 4);
    const expected = simplePathLines(input, 4);
    assert.equal(actual.clean, expected.clean);
    assert.equal(actual.rejected, expected.rejected);
    assert.equal(actual.clean, "abcd,x\nk,éé\n");
  });
});
