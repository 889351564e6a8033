import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { RecordTooLong } from "../../../task/src/records/record-limit.ts";
import {
  formatField,
  formatRow,
  needsQuoting,
  needsQuotingBytes,
  recordScan,
  scanRecord,
  stripBom,
  writeField,
} from "../../../task/src/records/rfc4180.ts";
import { TextRecordReader } from "../../../task/src/records/text-record-reader.ts";
import { fieldsOf, tokenize } from "../../support/csv-rows.ts";

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

describe("needsQuoting / needsQuotingBytes / writeField", () => {
  it("agree with formatField on every value, as text and as UTF-8 bytes (property)", () => {
    const value = fc.array(fc.constantFrom("a", " ", ",", '"', "\n", "\r", "é", "東", "🙂"), { maxLength: 8 }).map((cs) => cs.join(""));
    fc.assert(
      fc.property(value, (v) => {
        const bytes = Buffer.from("xx" + v, "utf8");
        assert.equal(needsQuotingBytes(bytes, 2, bytes.length), needsQuoting(v));
        assert.equal(needsQuoting(v), formatField(v) !== v);
        const out = Buffer.alloc(2 * bytes.length + 4);
        const end = writeField(bytes, 2, bytes.length, out, 1);
        assert.equal(out.toString("utf8", 1, end), formatField(v));
      }),
      { numRuns: 500 },
    );
  });
});

describe("stripBom", () => {
  it("drops a UTF-8 byte-order mark at the start only", () => {
    assert.equal(stripBom(Buffer.from("\ufeffa\ufeff")).toString(), "a\ufeff");
    assert.equal(stripBom(Buffer.from([0xef, 0xbb])).length, 2);
  });
});

describe("scanRecord", () => {
  it("ends a record at its line feed outside quotes, counting the quoted ones", () => {
    const scan = recordScan();
    const bytes = Buffer.from('a,"x\ny"\nb\n');
    scanRecord(bytes, 0, bytes.length, undefined, scan);
    assert.deepEqual(scan, { end: 8, lineFeeds: 2, complete: true, unterminated: false });
    scanRecord(bytes, 0, 6, undefined, scan);
    assert.deepEqual(scan, { end: 6, lineFeeds: 1, complete: false, unterminated: true });
  });
});

describe("scanRecord (through TextRecordReader: the record splitter, then the scanner)", () => {
  it("splits unquoted fields on commas and records on LF", () => {
    assert.deepEqual(fieldsOf("Key,Data\na,b\nc,d\n"), [["Key", "Data"], ["a", "b"], ["c", "d"]]);
  });

  it("accepts CRLF line ends and a last line without a line end", () => {
    assert.deepEqual(fieldsOf("Key,Data\r\na,b\r\nc,d"), [["Key", "Data"], ["a", "b"], ["c", "d"]]);
  });

  it("keeps commas, LF and CRLF inside quoted fields, and reads \"\" as one quote", () => {
    const rows = fieldsOf('k,"a,b"\r\nk2,"line1\nline2"\nk3,"x\r\ny"\nk4,"say ""hi"""\n');
    assert.deepEqual(rows, [["k", "a,b"], ["k2", "line1\nline2"], ["k3", "x\r\ny"], ["k4", 'say "hi"']]);
  });

  it("reads an empty quoted field as empty and a quote inside an unquoted field literally", () => {
    assert.deepEqual(fieldsOf('"",b\nab"c,d\n'), [["", "b"], ['ab"c', "d"]]);
  });

  it("skips blank lines (LF and CRLF) but keeps a line of commas as empty fields", () => {
    assert.deepEqual(fieldsOf("h\n\n\r\n,\n\nx\n"), [["h"], ["", ""], ["x"]]);
  });

  it("strips a UTF-8 byte-order mark, even when it arrives one byte at a time", () => {
    const input = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("Key,Data\nä,b\n")]);
    assert.deepEqual(fieldsOf(input, [1, 2, 3, 4]), [["Key", "Data"], ["ä", "b"]]);
  });

  it("reports the line where each record starts, counting line breaks inside quotes", () => {
    const rows = tokenize('Key,Data\na,"1\n2\n3"\n\nb,c\r\n"d\r\n",e\nf,g\n');
    assert.deepEqual(
      rows.map((r) => [r.fields[0], r.line]),
      [["Key", 1], ["a", 2], ["b", 6], ["d\r\n", 7], ["f", 9]],
    );
  });

  it("reports an unterminated quote at the end of input with its start line and keeps the text", () => {
    const rows = tokenize('Key,Data\na,b\nc,"never closed\nmore,stuff\n');
    assert.equal(rows.length, 3);
    assert.deepEqual(rows[2], { fields: ["c", "never closed\nmore,stuff\n"], invalid: [false, false], line: 3, unterminated: true });
    assert.equal(rows[1]!.unterminated, false);
  });

  it("flags only the field holding invalid UTF-8 and decodes the rest of the row", () => {
    const input = Buffer.concat([Buffer.from("Key,Data\nok,fine\nbad"), Buffer.from([0xff, 0xfe]), Buffer.from(",é\n")]);
    const rows = tokenize(input);
    assert.deepEqual(rows[1]!.invalid, [false, false]);
    const bad = rows[2]!;
    assert.deepEqual(bad.invalid, [true, false]);
    assert.equal(bad.fields[1], "é");
    assert.ok(bad.fields[0]!.startsWith("bad"));
  });

  it("flags invalid UTF-8 inside a quoted field that spans chunks", () => {
    const input = Buffer.concat([Buffer.from('Key,Data\nk,"a\n'), Buffer.from([0xc3]), Buffer.from('\nb"\n')]);
    const rows = tokenize(input, [12, 14, 15]);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[1]!.invalid, [false, true]);
  });

  it("does not split a multi-byte character across chunks", () => {
    const input = Buffer.from("Key,Data\n東京,ñandú\n", "utf8");
    for (let cut = 1; cut < input.length; cut++) assert.deepEqual(fieldsOf(input, [cut]), [["Key", "Data"], ["東京", "ñandú"]]);
  });

  it("gives the same rows however the bytes are cut into chunks", () => {
    const sample = Buffer.from('\ufeffKey,Data\r\n"a,""b""\r\nc",d\n\n  x  ,"y"\r\n"open,z', "utf8");
    const whole = tokenize(sample);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: sample.length - 1 }), { maxLength: 8 }), (cuts) => {
        assert.deepEqual(tokenize(sample, cuts), whole);
      }),
      { numRuns: 300 },
    );
  });

  it("stops at a record past the limit, open quote or missing line feed, naming the line it starts on", () => {
    const read = (text: string, chunk: number) => {
      const rows: string[][] = [];
      const reader = new TextRecordReader((r) => rows.push(r.fields), 50);
      const bytes = Buffer.from(text);
      try {
        for (let at = 0; at < bytes.length; at += chunk) reader.push(bytes.subarray(at, at + chunk));
        reader.end();
      } catch (error) {
        return { rows, error };
      }
      return { rows, error: undefined };
    };
    for (const chunk of [1, 7, 1000]) {
      const open = read('Key,Data\na,b\n"x\ny",z\nc,"open\n' + "more\n".repeat(20), chunk);
      assert.ok(open.error instanceof RecordTooLong, `chunk ${chunk}`);
      assert.deepEqual(open.error.where, { line: 5 });
      const noLineFeed = read("Key,Data\na,b\n" + "z".repeat(200), chunk);
      assert.ok(noLineFeed.error instanceof RecordTooLong, `chunk ${chunk}`);
      assert.deepEqual(noLineFeed.error.where, { line: 3 });
      // Just under the limit: read whole.
      const fits = read(`Key,Data\na,"${"q".repeat(45)}"\n`, chunk);
      assert.equal(fits.error, undefined);
      assert.deepEqual(fits.rows.at(-1), ["a", "q".repeat(45)]);
    }
  });
});
