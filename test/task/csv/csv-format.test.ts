import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { formatField, formatRow } from "../../../task/src/csv/csv-format.ts";

describe("formatField / formatRow", () => {
  it("quotes only fields holding a quote, comma or line break", () => {
    assert.equal(formatField("plain text"), "plain text");
    assert.equal(formatField("a,b"), '"a,b"');
    assert.equal(formatField('say "hi"'), '"say ""hi"""');
    assert.equal(formatField("x\ny"), '"x\ny"');
    assert.equal(formatField("x\ry"), '"x\ry"');
  });

  it("writes rows that csv-parse reads back unchanged (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ minLength: 1 }), { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 10 }), (rows) => {
        const text = rows.map((r) => formatRow(r)).join("");
        assert.deepEqual(parse(text, { relax_column_count: true }), rows);
      }),
      { numRuns: 300 },
    );
  });
});
