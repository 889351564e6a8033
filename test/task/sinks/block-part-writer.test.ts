import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { formatRow } from "../../../task/src/records/rfc4180.ts";
import { BlockPartWriter } from "../../../task/src/sinks/block-part-writer.ts";
import { COMPRESSIONS, partSuffix, zlibCapabilities, type Compression } from "../../../task/src/sinks/codec.ts";
import { decompressPart } from "../../support/part-bytes.ts";
import { tempDir } from "../../support/temp-dir.ts";
import { mochaUnderNode24 } from "../../support/under-node24.ts";
import { MemoryRunOutput } from "../transform/support/memory-output.ts";

/** A clean row as the job writes it: two fields, quoted when they hold quotes, commas or line breaks. */
const fieldArb = fc.oneof(fc.string({ unit: "grapheme", maxLength: 30 }), fc.stringMatching(/^[a",\r\n]{0,6}$/));
const lineArb = fc.tuple(fieldArb, fieldArb).map(([key, data]) => formatRow([key, data]));

interface WriteOptions {
  compression: Compression;
  level: number;
  slices: number;
  partBytes: number;
  memoryBytes: number;
  spillDir: string;
  blockBytes?: number;
}

async function writeAll(blocks: string[][], options: WriteOptions) {
  const output = new MemoryRunOutput();
  const writer = new BlockPartWriter(output, {
    dir: "clean",
    header: "key,data\n",
    compression: options.compression,
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

/** The command that reads a part of each codec back, as a user would: gzip, zstd, or none. */
const READER: Record<Compression, string[] | undefined> = { gzip: ["gzip", "-dc"], zstd: ["zstd", "-dcq"], none: undefined };

/** The rules every codec keeps; registered for each below. */
const RULES: { title: string; timeout?: number; run(compression: Compression, dir: string): Promise<void> }[] = [
  {
    title: "writes parts that decompress to the header and the rows, in order, whatever the level and slices (property)",
    async run(compression, dir) {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(lineArb, { minLength: 1, maxLength: 8 }), { maxLength: 12 }),
          compression === "gzip" ? fc.constantFrom(0, 1, 6) : fc.constant(6),
          fc.integer({ min: 1, max: 4 }),
          fc.constantFrom(1, 50, 1 << 20),
          fc.constantFrom(0, 100, 1 << 20),
          fc.constantFrom(1, 40, 1 << 20),
          async (blocks, level, slices, partBytes, memoryBytes, blockBytes) => {
            const { parts, output } = await writeAll(blocks, { compression, level, slices, partBytes, memoryBytes, spillDir: dir, blockBytes });
            assert.equal(parts.length % slices, 0);
            const rows = blocks.flat();
            let row = 0;
            for (const part of parts) {
              assert.ok(part.relPath.endsWith(partSuffix(compression)), part.relPath);
              const bytes = output.files.get(part.relPath)!;
              assert.equal(part.bytes, bytes.length);
              const text = decompressPart(bytes, compression).toString("utf8");
              assert.ok(text.startsWith("key,data\n"));
              // The part holds the next `part.rows` rows, whole.
              assert.equal(text.slice("key,data\n".length), rows.slice(row, row + part.rows).join(""));
              row += part.rows;
            }
            assert.equal(row, rows.length);
          },
        ),
        // Without zstd in node:zlib, every zstd part is read by the zstd command: fewer runs.
        { numRuns: compression === "zstd" && !zlibCapabilities().zstd ? 40 : 150 },
      );
    },
  },
  {
    title: "writes byte-identical parts for the same rows however they are cut into writes (property)",
    async run(compression, dir) {
      await fc.assert(
        fc.asyncProperty(
          fc.array(lineArb, { maxLength: 60 }),
          fc.array(fc.nat(), { maxLength: 10 }),
          compression === "gzip" ? fc.constantFrom(0, 1, 6) : fc.constant(6),
          fc.integer({ min: 1, max: 3 }),
          fc.constantFrom(1, 64, 300),
          async (rows, cuts, level, slices, blockBytes) => {
            const pieces = (at: number[]) => {
              const ends = [...new Set(at.map((n) => n % (rows.length + 1)))].sort((a, b) => a - b);
              return [...ends, rows.length].map((end, k) => rows.slice(k === 0 ? 0 : ends[k - 1], end)).filter((p) => p.length > 0);
            };
            const options = { compression, level, slices, partBytes: 200, memoryBytes: 1 << 20, spillDir: dir, blockBytes };
            const whole = await writeAll([rows].filter((p) => p.length > 0), options);
            const cut = await writeAll(pieces(cuts), options);
            assert.deepEqual(cut.parts, whole.parts);
            for (const part of whole.parts) assert.ok(cut.output.files.get(part.relPath)!.equals(whole.output.files.get(part.relPath)!), part.relPath);
          },
        ),
        { numRuns: 100 },
      );
    },
  },
  {
    title: "writes one header-only part when there are no rows",
    async run(compression, dir) {
      const { parts, output } = await writeAll([], { compression, level: 6, slices: 1, partBytes: 1 << 20, memoryBytes: 1 << 20, spillDir: dir });
      assert.deepEqual(parts.map((p) => [p.relPath, p.rows]), [[`clean/part-00000${partSuffix(compression)}`, 0]]);
      assert.equal(decompressPart(output.files.get(parts[0]!.relPath)!, compression).toString(), "key,data\n");
    },
  },
  {
    title: "removes its temporary file",
    async run(compression, dir) {
      const { parts, output } = await writeAll([["a,b\n"], ["c,d\n"]], { compression, level: 1, slices: 1, partBytes: 1 << 20, memoryBytes: 0, spillDir: dir });
      assert.deepEqual(await readdir(dir), []);
      assert.equal(decompressPart(output.files.get(parts[0]!.relPath)!, compression).toString(), "key,data\na,b\nc,d\n");
    },
  },
  {
    title: "writes parts the codec's own command reads whole (gzip -dc, zstd -dc)",
    async run(compression, dir) {
      const big = `${"x".repeat(150_000)},y\n`;
      for (const level of compression === "gzip" ? [0, 6] : [6]) {
        const { parts, output } = await writeAll([["a,b\n", "c,d\n"], [big, "e,f\n"]], { compression, level, slices: 1, partBytes: 1 << 20, memoryBytes: 1 << 20, spillDir: dir, blockBytes: 100_000 });
        const bytes = output.files.get(parts[0]!.relPath)!;
        const reader = READER[compression];
        const text = reader ? spawnSync(reader[0]!, reader.slice(1), { input: bytes, maxBuffer: 1 << 24 }) : { status: 0, stdout: bytes, stderr: "", error: undefined };
        assert.equal(text.error, undefined);
        assert.equal(text.status, 0, String(text.stderr));
        assert.equal(text.stdout.toString(), `key,data\na,b\nc,d\n${big}e,f\n`);
        if (compression === "zstd") {
          // The header's frame, then one frame per block (two: the rows cut past 100,000 bytes), each checksummed.
          await writeFile(join(dir, "part.zst"), bytes);
          const list = spawnSync("zstd", ["-lv", join(dir, "part.zst")]).stdout.toString();
          assert.match(list, /# Zstandard Frames: 3/);
          assert.match(list, /Check: XXH64/);
        }
      }
    },
  },
  {
    title: "writes parts while rows come in, holding back only slices × part size",
    async run(compression, dir) {
      const output = new MemoryRunOutput();
      const writer = new BlockPartWriter(output, { dir: "clean", header: "h\n", compression, gzipLevel: 1, partBytes: 100, slices: 2, concurrency: 2, memoryBytes: 1 << 20, spillDir: dir, blockBytes: 1 });
      for (let i = 0; i < 20; i++) await writer.write(Buffer.from(`${String(i).padStart(48, "0")}\n`), 1);
      await new Promise((r) => setTimeout(r, 50));
      assert.ok(output.files.size >= 5, `parts written before close: ${output.files.size}`);
      const parts = await writer.close();
      assert.equal(parts.length % 2, 0);
      assert.equal(parts.reduce((n, p) => n + p.rows, 0), 20);
    },
  },
];

const THIS_FILE = fileURLToPath(import.meta.url);

for (const compression of COMPRESSIONS) {
  describe(`BlockPartWriter (${compression})`, () => {
    if (compression === "zstd" && !zlibCapabilities().zstd) {
      // This runtime (Node 20) has no zstd: the same rules run under Node 24, and must all pass there.
      it("keeps every rule under Node 24 (the image's Node; this one has no zstd in node:zlib)", async function () {
        this.timeout(600_000);
        const report = await mochaUnderNode24(THIS_FILE, "^BlockPartWriter \\(zstd\\) ");
        assert.deepEqual(report.failures, []);
        assert.deepEqual(report.pending, []);
        assert.deepEqual(report.passes, RULES.map((rule) => `BlockPartWriter (zstd) ${rule.title}`));
      });
      return;
    }
    let dir: Awaited<ReturnType<typeof tempDir>>;
    beforeEach(async () => (dir = await tempDir()));
    afterEach(async () => dir.cleanup());
    for (const rule of RULES) it(rule.title, () => rule.run(compression, dir.path));
  });
}
