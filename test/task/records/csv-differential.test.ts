import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { fieldsOf } from "../../support/csv-rows.ts";

/** Characters that stress a CSV reader: separators, quotes, line breaks, spaces, non-ASCII. */
const tricky = fc.constantFrom("a", "B", " ", ",", '"', "\n", "\r\n", "é", "東", "\t", "x", "🙂");
const field = fc.array(tricky, { maxLength: 6 }).map((cs) => cs.join(""));

/** Renders a field the way a writer might: quoted when it must be, sometimes when it needn't. */
function render(value: string, forceQuote: boolean): string {
  const must = /[",\r\n]/.test(value) || value === "";
  return must || forceQuote ? `"${value.replaceAll('"', '""')}"` : value;
}

const csvFile = fc
  .record({
    rows: fc.array(fc.array(fc.tuple(field, fc.boolean()), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 12 }),
    eol: fc.constantFrom("\n", "\r\n"),
    bom: fc.boolean(),
    trailingEol: fc.boolean(),
  })
  .map(({ rows, eol, bom, trailingEol }) => {
    const lines = rows.map((r) => r.map(([v, q]) => render(v, q)).join(","));
    return { text: (bom ? "\ufeff" : "") + lines.join(eol) + (trailingEol ? eol : ""), rows: rows.map((r) => r.map(([v]) => v)) };
  });

describe("CSV reader, differentially against csv-parse", () => {
  it("reads generated RFC 4180 files exactly as csv-parse does, whatever the chunking", () => {
    fc.assert(
      fc.property(csvFile, fc.array(fc.nat(), { maxLength: 5 }), ({ text }, cutSeeds) => {
        const bytes = Buffer.from(text, "utf8");
        const expected = parse(bytes, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
        const cuts = cutSeeds.map((s) => 1 + (s % Math.max(bytes.length - 1, 1)));
        assert.deepEqual(fieldsOf(bytes, cuts), expected);
      }),
      { numRuns: 1000 },
    );
  });

  it("reads back exactly the fields the generator rendered", () => {
    // render() always quotes an empty field, so no generated row is a blank line.
    fc.assert(
      fc.property(csvFile, ({ text, rows }) => {
        assert.deepEqual(fieldsOf(text), rows);
      }),
      { numRuns: 300 },
    );
  });
});
