import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { COMPRESSIONS, partSuffix, zlibCapabilities, type Compression } from "../../../task/src/sinks/codec.ts";
import { StreamPartWriter } from "../../../task/src/sinks/stream-part-writer.ts";
import { decompressPart } from "../../support/part-bytes.ts";
import { mochaUnderNode24 } from "../../support/under-node24.ts";
import { MemoryRunOutput } from "../transform/support/memory-output.ts";

const THIS_FILE = fileURLToPath(import.meta.url);

/** The rules every codec keeps; registered for each below. */
const RULES: { title: string; run(compression: Compression): Promise<void> }[] = [
  {
    title: "writes the rows in parts of the codec, each starting with the header, rolling past the part size",
    async run(compression) {
      const output = new MemoryRunOutput();
      const writer = new StreamPartWriter(output, { dir: "rejected", header: "line,key,data,reason\n", partBytes: 40, compression, gzipLevel: 6 });
      const rows = Array.from({ length: 9 }, (_, i) => `${i + 2},k${i},"d,${i}",empty_key\n`);
      for (let i = 0; i < rows.length; i += 2) await writer.write(rows.slice(i, i + 2).join(""), rows.slice(i, i + 2).length);
      const parts = await writer.close();
      assert.ok(parts.length >= 2, `${parts.length} parts`);
      let all = "";
      for (const [k, part] of parts.entries()) {
        assert.equal(part.relPath, `rejected/part-${String(k).padStart(5, "0")}${partSuffix(compression)}`);
        const bytes = output.files.get(part.relPath)!;
        assert.equal(part.bytes, bytes.length);
        const text = decompressPart(bytes, compression).toString("utf8");
        assert.ok(text.startsWith("line,key,data,reason\n"));
        all += text.slice("line,key,data,reason\n".length);
      }
      assert.equal(all, rows.join(""));
      assert.equal(parts.reduce((n, p) => n + p.rows, 0), rows.length);
    },
  },
  {
    title: "writes one header-only part when there are no rows",
    async run(compression) {
      const output = new MemoryRunOutput();
      const parts = await new StreamPartWriter(output, { dir: "rejected", header: "h\n", partBytes: 1 << 20, compression, gzipLevel: 1 }).close();
      assert.deepEqual(parts.map((p) => p.rows), [0]);
      assert.equal(decompressPart(output.files.get(parts[0]!.relPath)!, compression).toString(), "h\n");
    },
  },
];

for (const compression of COMPRESSIONS) {
  describe(`StreamPartWriter (${compression})`, () => {
    if (compression === "zstd" && !zlibCapabilities().zstd) {
      it("keeps every rule under Node 24 (the image's Node; this one has no zstd in node:zlib)", async function () {
        this.timeout(300_000);
        const report = await mochaUnderNode24(THIS_FILE, "^StreamPartWriter \\(zstd\\) ");
        assert.deepEqual(report.failures, []);
        assert.deepEqual(report.pending, []);
        assert.deepEqual(report.passes, RULES.map((rule) => `StreamPartWriter (zstd) ${rule.title}`));
      });
      return;
    }
    for (const rule of RULES) it(rule.title, () => rule.run(compression));
  });
}
