import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { EtlError } from "../../../task/src/errors.ts";
import { fileUrlPartReader, gunzipped, partReaderFor, s3PartReader } from "../../../task/src/load/part-reader.ts";
import { tempDir } from "../../support/temp-dir.ts";

async function text(source: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of source) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString("utf8");
}

describe("fileUrlPartReader", () => {
  it("streams a file:// part, which gunzipped gives back as CSV", async () => {
    const dir = await tempDir();
    try {
      const path = join(dir.path, "part 1.csv.gz");
      await writeFile(path, gzipSync("key,data\na,1\n"));
      assert.equal(await text(gunzipped(fileUrlPartReader(pathToFileURL(path).href))), "key,data\na,1\n");
    } finally {
      await dir.cleanup();
    }
  });

  it("refuses other schemes as USAGE", () => {
    assert.throws(() => fileUrlPartReader("s3://b/k"), (e: unknown) => e instanceof EtlError && e.code === "USAGE");
  });
});

describe("gunzipped", () => {
  it("surfaces an error of the source", async () => {
    async function* failing() {
      yield gzipSync("key,data\n").subarray(0, 5);
      throw new Error("reset by peer");
    }
    await assert.rejects(text(gunzipped(failing())), /reset by peer/);
  });

  it("surfaces bytes that are not gzip", async () => {
    async function* plain() {
      yield Buffer.from("key,data\n");
    }
    await assert.rejects(text(gunzipped(plain())), /incorrect header check/);
  });
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
