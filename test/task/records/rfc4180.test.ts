import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { RecordTooLong } from "../../../task/src/records/record-limit.ts";
import { RecordSplitter } from "../../../task/src/records/record-splitter.ts";
import {
  formatField,
  formatRow,
  needsQuoting,
  needsQuotingBytes,
  OPEN,
  opensQuotedField,
  QUOTE_AT_END,
  readQuoted,
  RecordEndFinder,
  recordScan,
  scanRecord,
  stripBom,
  textRecords,
  writeField,
  type FieldSink,
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

/** A sink that writes what it is told as text: content as is, a literal quote as `"`, a field's end as `|`. */
function transcript(): FieldSink & { text: string } {
  return {
    text: "",
    content(src, from, to) {
      this.text += src.toString("utf8", from, to);
    },
    quote() {
      this.text += '"';
    },
    endField() {
      this.text += "|";
    },
  };
}

describe("opensQuotedField", () => {
  it("opens a quoted field only after a comma or a line feed (a record's or the input's start)", () => {
    assert.equal(opensQuotedField(0x2c), true);
    assert.equal(opensQuotedField(0x0a), true);
    for (const before of ["a", " ", "\r", '"', "é"]) assert.equal(opensQuotedField(Buffer.from(before)[0]!), false, JSON.stringify(before));
  });
});

describe("readQuoted", () => {
  it("reads \"\" as one quote and ends just past the first quote not doubled", () => {
    const sink = transcript();
    const bytes = Buffer.from('"a""b,\n"c,d');
    assert.equal(readQuoted(bytes, 1, bytes.length, false, false, sink), 8);
    assert.equal(sink.text, 'a"b,\n');
  });

  it("says OPEN when the range ends inside the field, having told all of it", () => {
    const sink = transcript();
    const bytes = Buffer.from('"a""b,c');
    assert.equal(readQuoted(bytes, 1, bytes.length, false, false, sink), OPEN);
    assert.equal(sink.text, 'a"b,c');
  });

  it("leaves a quote at the range's end undecided, unless the range ends the input (then it closes)", () => {
    const bytes = Buffer.from('"ab"');
    assert.equal(readQuoted(bytes, 1, 4, false, false, undefined), QUOTE_AT_END);
    assert.equal(readQuoted(bytes, 1, 4, false, true, undefined), 4);
  });

  it("resumed after a quote, takes a quote next as the second of \"\" and anything else as after a closing quote", () => {
    const sink = transcript();
    assert.equal(readQuoted(Buffer.from('"x",'), 0, 4, true, false, sink), 3);
    assert.equal(sink.text, '"x');
    assert.equal(readQuoted(Buffer.from(",x"), 0, 2, true, false, undefined), 0);
    assert.equal(readQuoted(Buffer.alloc(0), 0, 0, true, false, undefined), QUOTE_AT_END);
  });
});

/** Record ends (just past each record-ending line feed) that a RecordEndFinder reports over `bytes` cut at `cuts`. */
function finderEnds(bytes: Buffer, cuts: readonly number[]): number[] {
  const finder = new RecordEndFinder();
  const found: number[] = [];
  let at = 0;
  for (const cut of [...new Set(cuts), bytes.length].sort((a, b) => a - b)) {
    if (cut <= at || cut > bytes.length) continue;
    const base = at;
    finder.pass(bytes.subarray(at, cut), 0, () => 0, (lf) => found.push(base + lf + 1));
    at = cut;
  }
  return found;
}

describe("RecordEndFinder", () => {
  it("decides a quote at a chunk's end by the next chunk's first byte", () => {
    const bytes = Buffer.from('k,"a""\nb"\nc\n');
    assert.deepEqual(finderEnds(bytes, [5]), [10, 12]); // `""` cut in two: still inside quotes at the first \n
    assert.deepEqual(finderEnds(Buffer.from('k,"a"\nb\n'), [5]), [6, 8]); // the quote before the cut closed the field
  });

  it("reports only the record ends at or after wantFrom()", () => {
    const finder = new RecordEndFinder();
    const found: number[] = [];
    finder.pass(Buffer.from("a\nb\nc\nd\n"), 0, () => (found.length === 0 ? 3 : 7), (lf) => found.push(lf));
    assert.deepEqual(found, [3, 7]);
  });
});

/** Record ends found record by record with the field scanner (each complete record's end), and whether it ends inside an open quote. */
function scannedEnds(bytes: Buffer): { ends: number[]; unterminated: boolean } {
  const scan = recordScan();
  const ends: number[] = [];
  for (let pos = 0; pos < bytes.length; pos = scan.end) {
    scanRecord(bytes, pos, bytes.length, undefined, scan);
    if (!scan.complete) return { ends, unterminated: scan.unterminated };
    ends.push(scan.end);
  }
  return { ends, unterminated: false };
}

/**
 * Record ends found by a record splitter asked for batches of one byte: every record end, through
 * the splitter's own driver. A byte-order mark goes first, so the splitter, which holds an input's
 * first bytes until it knows there is none, starts however short the input.
 */
function splitterEnds(body: Buffer, cuts: readonly number[]): number[] {
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]);
  const splitter = new RecordSplitter(1);
  const ends: number[] = [];
  let taken = 0;
  const note = (batches: Buffer[]) => batches.forEach((b) => ends.push((taken += b.length)));
  let at = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    if (cut <= at || cut >= bytes.length) continue;
    note(splitter.push(bytes.subarray(at, cut)));
    at = cut;
  }
  note(splitter.push(bytes.subarray(at)));
  assert.equal(taken + splitter.end().length, body.length);
  return ends;
}

/**
 * Record ends as csv-parse finds them (its byte count after each record), the ones at a line
 * feed: relaxed about quotes (a quote inside unquoted text, text after a closing quote) as this
 * reader is, line ends LF or CRLF only (no bare CR). A quote still open at the end is its error.
 */
function csvParseEnds(bytes: Buffer): { ends: number[]; unterminated: boolean } {
  const ends: number[] = [];
  const onRecord = (record: string[], context: { bytes: number }) => {
    ends.push(context.bytes);
    return record;
  };
  let unterminated = false;
  try {
    parse(bytes, { relax_quotes: true, relax_column_count: true, record_delimiter: ["\r\n", "\n"], on_record: onRecord });
  } catch (error) {
    if ((error as { code?: string }).code !== "CSV_QUOTE_NOT_CLOSED") throw error;
    unterminated = true;
  }
  return { ends: ends.filter((end) => bytes[end - 1] === 0x0a), unterminated };
}

describe("the quote state machine's two drivers, differentially", () => {
  /** Bytes that stress the quote rules: every separator, quotes anywhere, bare CR, multi-byte characters. */
  const symbols = fc.array(fc.constantFrom("a", ",", '"', "\r", "\n", "é", "東", "🙂"), { maxLength: 48 }).map((cs) => Buffer.from(cs.join(""), "utf8"));
  const cuts = fc.array(fc.nat(60), { maxLength: 8 });

  it("RecordEndFinder over chunks, the splitter, scanRecord record by record and csv-parse find the same record ends and open quotes (property)", () => {
    fc.assert(
      fc.property(symbols, cuts, (bytes, at) => {
        const expected = csvParseEnds(bytes);
        assert.deepEqual(scannedEnds(bytes), expected, "scanRecord (and a quote left open at the end)");
        assert.deepEqual(finderEnds(bytes, at), expected.ends, "RecordEndFinder");
        assert.deepEqual(splitterEnds(bytes, at), expected.ends, "RecordSplitter");
      }),
      { numRuns: 5000 },
    );
  });

  it("scanRecord reads the fields csv-parse reads wherever csv-parse accepts the quoting (property)", () => {
    let accepted = 0;
    fc.assert(
      fc.property(symbols, (body) => {
        const bytes = Buffer.concat([body, Buffer.from("\n")]);
        let expected: string[][];
        try {
          expected = parse(bytes, { relax_column_count: true, record_delimiter: ["\r\n", "\n"], skip_empty_lines: true }) as string[][];
        } catch {
          return; // quoting csv-parse refuses: the record ends above still hold
        }
        accepted++;
        assert.deepEqual(
          textRecords(bytes, true).records.map((r) => r.fields),
          expected,
        );
      }),
      { numRuns: 3000 },
    );
    assert.ok(accepted > 1000, `only ${accepted} of 3000 inputs were quoted as csv-parse accepts`);
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
