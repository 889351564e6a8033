import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { parseCsvRecords } from "./csv-records.ts";
import {
  CopyLoadError,
  decodeCopyObject,
  encodePostgresCsv,
  parseCopyManifest,
  prepareCopyRows,
  resolveCopyObjects,
  truncateUtf8,
  utf8Length,
  type TargetColumn,
} from "./copy-from-s3.ts";
import { inMemoryObjectSource } from "./object-source.ts";
import { parseRedshiftCopy, type RedshiftCopy } from "./translate.ts";

const copyOf = (options: string, from = "s3://b/k"): RedshiftCopy => parseRedshiftCopy(`copy t from '${from}' iam_role default csv ${options}`)!;
const columns: TargetColumn[] = [
  { name: "id", isString: false },
  { name: "name", isString: true, maxBytes: 4 },
];
const rows = (csv: string, options = "") => prepareCopyRows(parseCsvRecords(csv, copyOf(options)), columns, copyOf(options), "s3://b/k").rows;

/** The CopyLoadError `fn` throws (fails when it throws nothing or something else). */
async function loadError(fn: () => unknown): Promise<CopyLoadError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof CopyLoadError) return error;
    throw error;
  }
  assert.fail("expected a CopyLoadError");
}

describe("parseCopyManifest", () => {
  it("reads url, mandatory (default false) and meta.content_length of each entry", () => {
    const text = JSON.stringify({
      entries: [
        { url: "s3://b/p1.csv.gz", mandatory: true, meta: { content_length: 12 } },
        { url: "s3://b/p2.csv.gz" },
      ],
    });
    assert.deepEqual(parseCopyManifest(text, "s3://b/m"), [
      { url: "s3://b/p1.csv.gz", mandatory: true, contentLength: 12 },
      { url: "s3://b/p2.csv.gz", mandatory: false, contentLength: undefined },
    ]);
  });

  it("rejects a manifest that is not JSON, has no entries or a bad entry", async () => {
    for (const text of ["{", "{}", '{"entries":[{"url":"https://x"}]}', '{"entries":[{"url":"s3://b/k","mandatory":"yes"}]}']) {
      assert.equal((await loadError(() => parseCopyManifest(text, "s3://b/m"))).code, "MANIFEST_INVALID", text);
    }
  });
});

describe("resolveCopyObjects", () => {
  const source = inMemoryObjectSource({
    "s3://b/in/a.csv": "1\n",
    "s3://b/in/b.csv": "2\n",
    "s3://b/inx.csv": "3\n",
    "s3://b/m.json": JSON.stringify({ entries: [{ url: "s3://b/in/b.csv", mandatory: true, meta: { content_length: 2 } }, { url: "s3://b/gone.csv" }] }),
    "s3://b/bad.json": JSON.stringify({ entries: [{ url: "s3://b/gone.csv", mandatory: true }] }),
    "s3://b/len.json": JSON.stringify({ entries: [{ url: "s3://b/in/a.csv", mandatory: true, meta: { content_length: 99 } }] }),
  });

  it("reads every object under the FROM key as a prefix, as Redshift does", async () => {
    const objects = await resolveCopyObjects(copyOf("", "s3://b/in"), source);
    assert.deepEqual(objects.map((o) => o.url), ["s3://b/in/a.csv", "s3://b/in/b.csv", "s3://b/inx.csv"]);
  });

  it("fails when no object has the prefix", async () => {
    assert.equal((await loadError(() => resolveCopyObjects(copyOf("", "s3://b/none/"), source))).code, "S3_PREFIX_NOT_FOUND");
  });

  it("reads a manifest's entries, skipping a missing optional one", async () => {
    const objects = await resolveCopyObjects(copyOf("manifest", "s3://b/m.json"), source);
    assert.deepEqual(objects.map((o) => o.url), ["s3://b/in/b.csv"]);
  });

  it("fails on a missing mandatory entry, a missing manifest and a wrong content_length", async () => {
    assert.equal((await loadError(() => resolveCopyObjects(copyOf("manifest", "s3://b/bad.json"), source))).code, "MANIFEST_ENTRY_MISSING");
    assert.equal((await loadError(() => resolveCopyObjects(copyOf("manifest", "s3://b/nope.json"), source))).code, "MANIFEST_NOT_FOUND");
    assert.equal((await loadError(() => resolveCopyObjects(copyOf("manifest", "s3://b/len.json"), source))).code, "MANIFEST_LENGTH_MISMATCH");
  });
});

describe("decodeCopyObject", () => {
  const invalid = new Uint8Array([0x61, 0xff, 0x62]);

  it("gunzips with GZIP", () => {
    assert.equal(decodeCopyObject({ url: "s3://b/k", bytes: gzipSync("a,b\n") }, copyOf("gzip")), "a,b\n");
  });

  it("fails on bytes that are not gzip", async () => {
    assert.equal((await loadError(() => decodeCopyObject({ url: "s3://b/k", bytes: invalid }, copyOf("gzip")))).code, "GZIP_INVALID");
  });

  it("decompresses every frame with ZSTD, as zstd writes them", () => {
    // Frames made by the zstd command, not by the code under test: two frames, as a part's header and block.
    const frame = (text: string) => execFileSync("zstd", ["-3", "-c", "-q", "--check"], { input: text });
    const bytes = Buffer.concat([frame("key,data\n"), frame("a,1\nb,2\n")]);
    assert.equal(decodeCopyObject({ url: "s3://b/k.csv.zst", bytes }, copyOf("zstd")), "key,data\na,1\nb,2\n");
  });

  it("fails on bytes that are not zstd", async () => {
    const error = await loadError(() => decodeCopyObject({ url: "s3://b/k", bytes: gzipSync("a,b\n") }, copyOf("zstd")));
    assert.equal(error.code, "ZSTD_INVALID");
    assert.match(error.message, /^zstd: .* in s3:\/\/b\/k$/);
  });

  it("reads the bytes as they are without GZIP or ZSTD", () => {
    assert.equal(decodeCopyObject({ url: "s3://b/k.csv", bytes: Buffer.from("a,b\n") }, copyOf("")), "a,b\n");
  });

  it("fails on invalid UTF-8 unless ACCEPTINVCHARS replaces it", async () => {
    assert.equal((await loadError(() => decodeCopyObject({ url: "s3://b/k", bytes: invalid }, copyOf("")))).code, "INVALID_UTF8");
    assert.equal(decodeCopyObject({ url: "s3://b/k", bytes: invalid }, copyOf("acceptinvchars as '^'")), "a^b");
  });
});

describe("prepareCopyRows", () => {
  it("loads an empty non-character field as NULL and an empty VARCHAR as ''", () => {
    assert.deepEqual(rows(",\n"), [[null, ""]]);
  });

  it("loads empty VARCHARs as NULL with EMPTYASNULL, blank ones with BLANKSASNULL", () => {
    assert.deepEqual(rows('1,\n2,""\n', "emptyasnull"), [["1", null], ["2", null]]);
    assert.deepEqual(rows("1,  \n", "blanksasnull"), [["1", null]]);
    assert.deepEqual(rows("1,  \n"), [["1", "  "]]);
  });

  it("loads an unquoted field equal to NULL AS as NULL", () => {
    assert.deepEqual(rows('\\N,\\N\n1,"\\N"\n', "null as '\\N'"), [[null, null], ["1", "\\N"]]);
  });

  it("skips IGNOREHEADER records and, with IGNOREBLANKLINES, blank lines", () => {
    assert.deepEqual(rows("id,name\n1,a\n\n2,b\n", "ignoreheader 1 ignoreblanklines"), [["1", "a"], ["2", "b"]]);
  });

  it("fails a record with too few or too many fields, naming the line", async () => {
    const few = await loadError(() => rows("1,a\n2\n"));
    assert.deepEqual([few.message, few.at], ["Delimiter not found", { url: "s3://b/k", line: 2 }]);
    assert.equal((await loadError(() => rows("1,a,x\n"))).message, "Extra column(s) found");
  });

  it("pads missing trailing fields with NULL under FILLRECORD", () => {
    assert.deepEqual(rows("1\n", "fillrecord"), [["1", null]]);
  });

  it("counts VARCHAR length in UTF-8 bytes: too long fails, TRUNCATECOLUMNS cuts", async () => {
    const tooLong = await loadError(() => rows("1,ééé\n"));
    assert.match(tooLong.message, /String length exceeds DDL length \(6 > 4 bytes\)/);
    assert.equal(tooLong.at?.column, "name");
    assert.deepEqual(rows("1,ééé\n", "truncatecolumns"), [["1", "éé"]]);
  });

  it("drops trailing blanks of VARCHARs with TRIMBLANKS before checking the length", () => {
    assert.deepEqual(rows("1,ab     \n", "trimblanks"), [["1", "ab"]]);
  });
});

describe("encodePostgresCsv", () => {
  it("writes NULL as an unquoted empty field and every value quoted", () => {
    assert.equal(encodePostgresCsv([[null, "", 'a"b', "x,\ny"]]), `,"","a""b","x,\ny"\n`);
    assert.equal(encodePostgresCsv([]), "");
  });

  it("round-trips through the CSV reader, quoted fields keeping their text", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.option(fc.string(), { nil: null }), { minLength: 2, maxLength: 2 }), { maxLength: 5 }), (table) => {
        const parsed = parseCsvRecords(encodePostgresCsv(table), { delimiter: ",", quote: '"' });
        assert.deepEqual(parsed.map((r) => r.fields.map((f) => (f.quoted ? f.value : null))), table);
      }),
    );
  });
});

describe("truncateUtf8", () => {
  it("keeps at most the byte count, never splitting a character", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.nat(40), (value, max) => {
        const cut = truncateUtf8(value, max);
        assert.ok(utf8Length(cut) <= max);
        assert.ok(value.startsWith(cut));
      }),
    );
  });
});
