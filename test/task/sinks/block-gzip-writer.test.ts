import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdir } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { BlockGzipWriter } from "../../../task/src/sinks/block-gzip-writer.ts";
import { tempDir } from "../../support/temp-dir.ts";
import { MemoryRunOutput } from "../transform/support/memory-output.ts";

const lineArb = fc.string({ unit: "grapheme", maxLength: 30 }).map((s) => `${s.replace(/\n/g, " ")}\n`);

async function writeAll(blocks: string[][], options: { level: number; slices: number; partBytes: number; memoryBytes: number; spillDir: string }) {
  const output = new MemoryRunOutput();
  const writer = new BlockGzipWriter(output, {
    dir: "clean",
    header: "key,data\n",
    gzipLevel: options.level,
    partBytes: options.partBytes,
    slices: options.slices,
    concurrency: 3,
    memoryBytes: options.memoryBytes,
    spillDir: options.spillDir,
  });
  for (const lines of blocks) await writer.write(Buffer.from(lines.join("")), lines.length);
  return { parts: await writer.close(), output };
}

describe("BlockGzipWriter", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(async () => dir.cleanup());

  it("writes parts that gunzip to the header and the rows, in order, whatever the level and slices (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(lineArb, { minLength: 1, maxLength: 8 }), { maxLength: 12 }),
        fc.constantFrom(0, 1, 6),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(1, 50, 1 << 20),
        fc.constantFrom(0, 100, 1 << 20),
        async (blocks, level, slices, partBytes, memoryBytes) => {
          const { parts, output } = await writeAll(blocks, { level, slices, partBytes, memoryBytes, spillDir: dir.path });
          assert.equal(parts.length % slices, 0);
          let all = "";
          for (const part of parts) {
            const bytes = output.files.get(part.relPath)!;
            assert.equal(part.bytes, bytes.length);
            const text = gunzipSync(bytes).toString("utf8");
            assert.ok(text.startsWith("key,data\n"));
            const body = text.slice("key,data\n".length);
            assert.equal(body === "" ? 0 : body.split("\n").length - 1, part.rows);
            all += body;
          }
          assert.equal(all, blocks.flat().join(""));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("writes one header-only part when there are no rows", async () => {
    const { parts, output } = await writeAll([], { level: 6, slices: 1, partBytes: 1 << 20, memoryBytes: 1 << 20, spillDir: dir.path });
    assert.deepEqual(parts.map((p) => p.rows), [0]);
    assert.equal(gunzipSync(output.files.get(parts[0]!.relPath)!).toString(), "key,data\n");
  });

  it("removes its temporary file", async () => {
    await writeAll([["a,b\n"], ["c,d\n"]], { level: 1, slices: 1, partBytes: 1 << 20, memoryBytes: 0, spillDir: dir.path });
    assert.deepEqual(await readdir(dir.path), []);
  });

  it("writes parts the gzip tool reads as one member, compressed or stored", async function () {
    const big = `${"x".repeat(150_000)},y\n`;
    for (const level of [0, 6]) {
      const { parts, output } = await writeAll([["a,b\n", "c,d\n"], [big, "e,f\n"]], { level, slices: 1, partBytes: 1 << 20, memoryBytes: 1 << 20, spillDir: dir.path });
      const gz = spawnSync("gzip", ["-dc"], { input: output.files.get(parts[0]!.relPath)!, maxBuffer: 1 << 24 });
      if (gz.error) this.skip();
      assert.equal(gz.status, 0, gz.stderr.toString());
      assert.equal(gz.stdout.toString(), `key,data\na,b\nc,d\n${big}e,f\n`);
    }
  });

  it("writes parts while rows come in, holding back only slices × part size", async () => {
    const output = new MemoryRunOutput();
    const writer = new BlockGzipWriter(output, { dir: "clean", header: "h\n", gzipLevel: 1, partBytes: 100, slices: 2, concurrency: 2, memoryBytes: 1 << 20, spillDir: dir.path });
    for (let i = 0; i < 20; i++) await writer.write(Buffer.from(`${String(i).padStart(48, "0")}\n`), 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(output.files.size >= 5, `parts written before close: ${output.files.size}`);
    const parts = await writer.close();
    assert.equal(parts.length % 2, 0);
    assert.equal(parts.reduce((n, p) => n + p.rows, 0), 20);
  });
});
