import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { decompressIfGzip, isGzip } from "../../../task/src/source/decompress.ts";

async function collect(chunks: Buffer[]): Promise<string> {
  async function* source() {
    for (const c of chunks) yield c;
  }
  const out: Buffer[] = [];
  for await (const c of decompressIfGzip(source(), (e) => e as Error)) out.push(c);
  return Buffer.concat(out).toString("utf8");
}

describe("decompressIfGzip", () => {
  it("passes plain bytes through unchanged", async () => {
    assert.equal(await collect([Buffer.from("Key,Data\n"), Buffer.from("a,b\n")]), "Key,Data\na,b\n");
  });

  it("recognises gzip by its magic bytes, even when the first chunk is one byte", async () => {
    const gz = gzipSync("Key,Data\na,b\n");
    assert.ok(isGzip(gz));
    assert.equal(await collect([gz.subarray(0, 1), gz.subarray(1, 5), gz.subarray(5)]), "Key,Data\na,b\n");
  });

  it("reads every member of a multi-member gzip file", async () => {
    assert.equal(await collect([Buffer.concat([gzipSync("Key,Data\n"), gzipSync("a,b\n")])]), "Key,Data\na,b\n");
  });

  it("fails on a truncated gzip stream", async () => {
    const gz = gzipSync("Key,Data\n" + "a,b\n".repeat(1000));
    await assert.rejects(collect([gz.subarray(0, gz.length - 10)]), /unexpected end of file/i);
  });

  it("yields nothing for empty input", async () => {
    assert.equal(await collect([]), "");
  });
});
