import assert from "node:assert/strict";
import * as zlib from "node:zlib";
import { EtlError } from "../../../task/src/errors.ts";
import {
  chooseCompression,
  COMPRESSIONS,
  compressionOfPart,
  compressionOfParts,
  contentTypeOf,
  copyCompressionOption,
  defaultCompression,
  partSuffix,
  zlibCapabilities,
} from "../../../task/src/sinks/codec.ts";

const usage = (e: unknown) => e instanceof EtlError && e.code === "USAGE";

describe("zlibCapabilities", () => {
  it("finds zstd only when node:zlib has its compressors and decompressor", () => {
    const fn = () => {};
    assert.deepEqual(zlibCapabilities({ zstdCompress: fn, zstdCompressSync: fn, createZstdCompress: fn, createZstdDecompress: fn }), { zstd: true });
    assert.deepEqual(zlibCapabilities({ zstdCompress: fn, createZstdCompress: fn }), { zstd: false });
    assert.deepEqual(zlibCapabilities({}), { zstd: false });
  });

  it("reads this runtime's node:zlib by default (Node 22.15+ and 24 have zstd, Node 20 not)", () => {
    const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
    assert.equal(zlibCapabilities().zstd, major > 22 || (major === 22 && minor >= 15));
    assert.equal(zlibCapabilities().zstd, typeof (zlib as Record<string, unknown>).zstdCompress === "function");
  });
});

describe("defaultCompression", () => {
  it("is zstd where the runtime has it and gzip elsewhere", () => {
    assert.equal(defaultCompression({ zstd: true }), "zstd");
    assert.equal(defaultCompression({ zstd: false }), "gzip");
  });
});

describe("chooseCompression", () => {
  it("takes the codec asked for, else the runtime's default", () => {
    for (const c of COMPRESSIONS) assert.equal(chooseCompression(c, { zstd: true }), c);
    assert.equal(chooseCompression("gzip", { zstd: false }), "gzip");
    assert.equal(chooseCompression("none", { zstd: false }), "none");
    assert.equal(chooseCompression(undefined, { zstd: true }), "zstd");
    assert.equal(chooseCompression(undefined, { zstd: false }), "gzip");
  });

  it("refuses zstd on a runtime without it as USAGE, naming the Node.js needed and the way out", () => {
    assert.throws(() => chooseCompression("zstd", { zstd: false }, "v20.20.2"), (e: unknown) => {
      assert.ok(usage(e));
      assert.equal((e as Error).message, "--compression zstd needs a Node.js with zstd in node:zlib (22.15 or later); this is Node 20.20.2: use --compression gzip or none");
      return true;
    });
  });
});

describe("part names", () => {
  it("end .csv.gz, .csv.zst or .csv, and each name gives back its codec", () => {
    assert.deepEqual(COMPRESSIONS.map(partSuffix), [".csv.gz", ".csv.zst", ".csv"]);
    for (const c of COMPRESSIONS) assert.equal(compressionOfPart(`s3://b/runs/r/clean/part-00000${partSuffix(c)}`), c);
  });

  it("read as gzip when they say nothing else, as every run before the codec could be chosen wrote", () => {
    assert.equal(compressionOfPart("file:///runs/r/clean/part-00000.csv.gz"), "gzip");
    assert.equal(compressionOfPart("s3://b/k.gz"), "gzip");
    assert.equal(compressionOfParts([]), "gzip");
  });

  it("give the one codec of a run's parts, and refuse a mix as INTERNAL", () => {
    assert.equal(compressionOfParts(["a/part-0.csv.zst", "a/part-1.csv.zst"]), "zstd");
    assert.throws(() => compressionOfParts(["a/part-0.csv.zst", "a/part-1.csv.gz"]), (e: unknown) => e instanceof EtlError && e.code === "INTERNAL" && /mix codecs \(zstd, gzip\)/.test(e.message));
  });
});

describe("copyCompressionOption", () => {
  it("is COPY's GZIP or ZSTD, and nothing for plain CSV", () => {
    assert.deepEqual(COMPRESSIONS.map(copyCompressionOption), ["GZIP", "ZSTD", undefined]);
  });
});

describe("contentTypeOf", () => {
  it("labels parts by codec and the small files as JSON", () => {
    assert.deepEqual(
      ["clean/part-00000.csv.gz", "clean/part-00000.csv.zst", "rejected/part-00000.csv", "summary.json", "other.bin"].map(contentTypeOf),
      ["application/gzip", "application/zstd", "text/csv", "application/json", "application/octet-stream"],
    );
  });
});
