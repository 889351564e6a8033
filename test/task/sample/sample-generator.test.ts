import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import { generateSample, type ExpectedCounts } from "../../../task/src/sample/sample-generator.ts";

function render(rows: number, seed = 1): { text: string; counts: ExpectedCounts } {
  const gen = generateSample({ rows, seed });
  let text = "";
  for (let r = gen.next(); ; r = gen.next()) {
    if (r.done) return { text, counts: r.value };
    text += r.value;
  }
}

describe("generateSample", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    assert.equal(render(2000, 7).text, render(2000, 7).text);
    assert.notEqual(render(2000, 7).text, render(2000, 8).text);
  });

  it("produces the data mix of the real file", () => {
    const { text, counts } = render(20000);
    assert.equal(counts.rowsRead, 20000);
    assert.equal(counts.clean + counts.duplicates + counts.rejected, 20000);
    assert.ok(Math.abs(counts.duplicates / 20000 - 0.15) < 0.02, `duplicates ${counts.duplicates}`);
    assert.ok(Math.abs(counts.rejected / 20000 - 0.01) < 0.005, `rejected ${counts.rejected}`);
    const rows = parse(text, { relax_column_count: true }) as string[][];
    assert.deepEqual(rows[0], ["Key", "Data"]);
    assert.ok(rows.some((r) => r[1]?.includes(",")), "quoted commas");
    assert.ok(rows.some((r) => r[1]?.includes("\n")), "line breaks in fields");
    assert.ok(rows.some((r) => /[^\x00-\x7f]/.test(r[0] ?? "")), "non-ASCII");
    assert.ok(rows.some((r) => r[0] !== r[0]?.trim()), "padding");
    assert.ok(rows.some((r) => r[0] !== r[0]?.toLowerCase()), "mixed case");
  });
});
