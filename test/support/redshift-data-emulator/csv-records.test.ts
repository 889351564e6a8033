import assert from "node:assert/strict";
import { CsvQuoteError, parseCsvRecords } from "./csv-records.ts";

const comma = { delimiter: ",", quote: '"' };
const values = (text: string) => parseCsvRecords(text, comma).map((r) => r.fields.map((f) => f.value));

describe("parseCsvRecords", () => {
  it("splits records at LF and CRLF, a final newline starting no record", () => {
    assert.deepEqual(values("a,b\r\nc,d\n"), [["a", "b"], ["c", "d"]]);
    assert.deepEqual(values("a,b"), [["a", "b"]]);
    assert.deepEqual(values(""), []);
  });

  it("keeps delimiters, newlines and doubled quotes inside a quoted field", () => {
    const [record] = parseCsvRecords('"a,b","line1\nline2","say ""hi"""\n', comma);
    assert.deepEqual(record!.fields, [
      { value: "a,b", quoted: true },
      { value: "line1\nline2", quoted: true },
      { value: 'say "hi"', quoted: true },
    ]);
  });

  it("tells a quoted empty field from an unquoted one", () => {
    assert.deepEqual(parseCsvRecords('"",\n', comma)[0]!.fields, [
      { value: "", quoted: true },
      { value: "", quoted: false },
    ]);
  });

  it("numbers each record by the physical line it starts on", () => {
    const records = parseCsvRecords('h\n"x\ny"\nz\n', comma);
    assert.deepEqual(records.map((r) => r.line), [1, 2, 4]);
  });

  it("marks empty lines as blank", () => {
    assert.deepEqual(parseCsvRecords("a\n\nb\n", comma).map((r) => r.blank), [false, true, false]);
  });

  it("honours another delimiter and quote character", () => {
    assert.deepEqual(parseCsvRecords("'a\tb'\tc\n", { delimiter: "\t", quote: "'" })[0]!.fields.map((f) => f.value), ["a\tb", "c"]);
  });

  it("rejects text after a closing quote and an unterminated quote, with the line", () => {
    assert.throws(() => parseCsvRecords('ok\n"a"b,c\n', comma), (e) => e instanceof CsvQuoteError && e.line === 2);
    assert.throws(() => parseCsvRecords('a\n"never closed\n', comma), (e) => e instanceof CsvQuoteError && e.line === 2);
  });
});
