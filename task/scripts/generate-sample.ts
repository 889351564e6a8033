/**
 * `npm run sample -- --rows N --out FILE [--seed S] [--gzip] [--crlf]`: writes a
 * deterministic CSV like the real input, and `FILE.expected.json` with the counts the job
 * must report for it (also printed on stdout).
 */
import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { createGzip } from "node:zlib";
import { generateSample, type ExpectedCounts } from "../src/sample/sample-generator.ts";

/** Writes a sample file and its expected counts; returns the counts. */
export async function writeSample(out: string, rows: number, opts: { seed?: number; gzip?: boolean; crlf?: boolean } = {}): Promise<ExpectedCounts> {
  await mkdir(dirname(out), { recursive: true });
  const gen = generateSample({ rows, seed: opts.seed ?? 42, eol: opts.crlf ? "\r\n" : "\n" });
  let counts: ExpectedCounts | undefined;
  const chunks = (function* () {
    for (let r = gen.next(); ; r = gen.next()) {
      if (r.done) {
        counts = r.value;
        return;
      }
      yield r.value;
    }
  })();
  const stages = [Readable.from(chunks), ...(opts.gzip ? [createGzip({ level: 1 })] : []), createWriteStream(out)] as const;
  await pipeline(stages as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream]);
  await writeFile(`${out}.expected.json`, JSON.stringify(counts, null, 2) + "\n");
  return counts!;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      rows: { type: "string", default: "5000" },
      out: { type: "string" },
      seed: { type: "string", default: "42" },
      gzip: { type: "boolean", default: false },
      crlf: { type: "boolean", default: false },
    },
  });
  if (!values.out || !/^\d+$/.test(values.rows)) {
    process.stderr.write("usage: npm run sample -- --rows N --out FILE [--seed S] [--gzip] [--crlf]\n");
    process.exit(2);
  }
  const counts = await writeSample(values.out, Number(values.rows), { seed: Number(values.seed), gzip: values.gzip, crlf: values.crlf });
  process.stdout.write(JSON.stringify(counts) + "\n");
}
