import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { EtlError } from "../../../task/src/errors.ts";
import { decompressed, fileUrlPartReader, partReaderFor, s3PartReader } from "../../../task/src/load/part-reader.ts";
import { zlibCapabilities } from "../../../task/src/sinks/codec.ts";
import { tempDir } from "../../support/temp-dir.ts";
import { mochaUnderNode24 } from "../../support/under-node24.ts";

async function text(source: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of source) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString("utf8");
}

describe("fileUrlPartReader", () => {
  it("streams a file:// part, which decompressed gives back as CSV", async () => {
    const dir = await tempDir();
    try {
      const path = join(dir.path, "part 1.csv.gz");
      await writeFile(path, gzipSync("key,data\na,1\n"));
      assert.equal(await text(decompressed(fileUrlPartReader(pathToFileURL(path).href), "gzip")), "key,data\na,1\n");
    } finally {
      await dir.cleanup();
    }
  });

  it("refuses other schemes as USAGE", () => {
    assert.throws(() => fileUrlPartReader("s3://b/k"), (e: unknown) => e instanceof EtlError && e.code === "USAGE");
  });
});

/** A zstd part as the writer lays it out, made by the zstd command: the header's frame, then one frame per block. */
const zstdPart = (...texts: string[]) => Buffer.concat(texts.map((t) => execFileSync("zstd", ["-3", "-q", "-c", "--check"], { input: t })));

async function* inChunks(bytes: Buffer, size: number) {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

const THIS_FILE = fileURLToPath(import.meta.url);

describe("decompressed", () => {
  it("gunzips gzip parts and passes plain CSV through", async () => {
    assert.equal(await text(decompressed(inChunks(gzipSync("key,data\na,1\n"), 7), "gzip")), "key,data\na,1\n");
    assert.equal(await text(decompressed(inChunks(Buffer.from("key,data\na,1\n"), 5), "none")), "key,data\na,1\n");
  });

  it("surfaces an error of the source", async () => {
    async function* failing() {
      yield gzipSync("key,data\n").subarray(0, 5);
      throw new Error("reset by peer");
    }
    await assert.rejects(text(decompressed(failing(), "gzip")), /reset by peer/);
  });

  it("surfaces bytes that are not gzip", async () => {
    async function* plain() {
      yield Buffer.from("key,data\n");
    }
    await assert.rejects(text(decompressed(plain(), "gzip")), /incorrect header check/);
  });

  if (!zlibCapabilities().zstd) {
    it("refuses zstd parts on a runtime without zstd (Node 20), as USAGE", async () => {
      await assert.rejects(text(decompressed(inChunks(zstdPart("key,data\n"), 4), "zstd")), (e: unknown) => e instanceof EtlError && e.code === "USAGE" && /zstd parts need a Node\.js with zstd/.test(e.message));
    });

    it("reads every frame of zstd parts under Node 24 (the rules below, run there)", async function () {
      this.timeout(300_000);
      const report = await mochaUnderNode24(THIS_FILE, "^decompressed with zstd ");
      assert.deepEqual(report.failures, []);
      assert.deepEqual(report.pending, []);
      assert.equal(report.passes.length, 2, report.passes.join("; "));
    });
  } else {
    describe("with zstd", () => {
      it("reads every frame of a part, however its bytes come in (Node's own decompressor stops after the first)", async () => {
        const part = zstdPart("key,data\n", "a,1\nb,2\n".repeat(20_000), "c,3\n");
        const expected = "key,data\n" + "a,1\nb,2\n".repeat(20_000) + "c,3\n";
        for (const size of [1, 1000, 65536, part.length]) assert.equal(await text(decompressed(inChunks(part, size), "zstd")), expected, `chunks of ${size}`);
      });

      it("fails on a part cut short or damaged, naming it", async () => {
        const part = zstdPart("key,data\n", "a,1\n".repeat(1000));
        await assert.rejects(text(decompressed(inChunks(part.subarray(0, part.length - 2), 100), "zstd", "p.csv.zst")), /p\.csv\.zst ends inside a zstd frame/);
        const damaged = Buffer.from(part);
        damaged[damaged.length - 1]! ^= 0xff; // the last frame's checksum
        await assert.rejects(text(decompressed(inChunks(damaged, 100), "zstd")), /checksum|corrupt/i);
      });
    });
  }
});

describe("s3PartReader", () => {
  it("GetObjects the bucket and key of an s3:// URL", async () => {
    const asked: unknown[] = [];
    const client = {
      send: async (command: { input: unknown }) => {
        asked.push(command.input);
        return { Body: (async function* () { yield Buffer.from("bytes"); })() };
      },
    };
    const read = s3PartReader(client as never);
    assert.equal(await text(read("s3://out/runs/r/clean/part-00000.csv.gz")), "bytes");
    assert.deepEqual(asked, [{ Bucket: "out", Key: "runs/r/clean/part-00000.csv.gz" }]);
  });

  it("routes s3:// to S3 and the rest to files in partReaderFor", async () => {
    const client = { send: async () => ({ Body: (async function* () { yield Buffer.from("s3"); })() }) };
    assert.equal(await text(partReaderFor(client as never)("s3://b/k")), "s3");
    assert.throws(() => partReaderFor()("s3://b/k"), /only file:\/\//);
  });
});
