import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdir } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { formatRow } from "../../../task/src/records/rfc4180.ts";
import { BlockGzipWriter } from "../../../task/src/sinks/block-gzip-writer.ts";
import { tempDir } from "../../support/temp-dir.ts";
import { MemoryRunOutput } from "../transform/support/memory-output.ts";

/** A clean row as the job writes it: two fields, quoted when they hold quotes, commas or line breaks. */
const fieldArb = fc.oneof(fc.string({ unit: "grapheme", maxLength: 30 }), fc.stringMatching(/^[a",\r\n]{0,6}$/));
const lineArb = fc.tuple(fieldArb, fieldArb).map(([key, data]) => formatRow([key, data]));

async function writeAll(blocks: string[][], options: { level: number; slices: number; partBytes: number; memoryBytes: number; spillDir: string; blockBytes?: number }) {
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
    ...(options.blockBytes !== undefined ? { blockBytes: options.blockBytes } : {}),
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
        fc.constantFrom(1, 40, 1 << 20),
        async (blocks, level, slices, partBytes, memoryBytes, blockBytes) => {
          const { parts, output } = await writeAll(blocks, { level, slices, partBytes, memoryBytes, spillDir: dir.path, blockBytes });
          assert.equal(parts.length % slices, 0);
          const rows = blocks.flat();
          let row = 0;
          for (const part of parts) {
            const bytes = output.files.get(part.relPath)!;
            assert.equal(part.bytes, bytes.length);
            const text = gunzipSync(bytes).toString("utf8");
            assert.ok(text.startsWith("key,data\n"));
            // The part holds the next `part.rows` rows, whole.
            assert.equal(text.slice("key,data\n".length), rows.slice(row, row + part.rows).join(""));
            row += part.rows;
          }
          assert.equal(row, rows.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("writes byte-identical parts for the same rows however they are cut into writes (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineArb, { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.constantFrom(0, 1, 6),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(1, 64, 300),
        async (rows, cuts, level, slices, blockBytes) => {
          const pieces = (at: number[]) => {
            const ends = [...new Set(at.map((n) => n % (rows.length + 1)))].sort((a, b) => a - b);
            return [...ends, rows.length].map((end, k) => rows.slice(k === 0 ? 0 : ends[k - 1], end)).filter((p) => p.length > 0);
          };
          const options = { level, slices, partBytes: 200, memoryBytes: 1 << 20, spillDir: dir.path, blockBytes };
          const whole = await writeAll([rows].filter((p) => p.length > 0), options);
          const cut = await writeAll(pieces(cuts), options);
          assert.deepEqual(cut.parts, whole.parts);
          for (const part of whole.parts) assert.ok(cut.output.files.get(part.relPath)!.equals(whole.output.files.get(part.relPath)!), part.relPath);
        },
      ),
      { numRuns: 100 },
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
    const writer = new BlockGzipWriter(output, { dir: "clean", header: "h\n", gzipLevel: 1, partBytes: 100, slices: 2, concurrency: 2, memoryBytes: 1 << 20, spillDir: dir.path, blockBytes: 1 });
    for (let i = 0; i < 20; i++) await writer.write(Buffer.from(`${String(i).padStart(48, "0")}\n`), 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(output.files.size >= 5, `parts written before close: ${output.files.size}`);
    const parts = await writer.close();
    assert.equal(parts.length % 2, 0);
    assert.equal(parts.reduce((n, p) => n + p.rows, 0), 20);
  });
});
