/**
 * `node --import tsx bench/scanner.ts [--src DIR ...] [--rounds N] [--chunk BYTES]`: the two
 * drivers of the RFC 4180 quote state machine on the hot path, timed apart on a generated
 * 1,000,000-row file held in memory: (1) the record splitter (main thread, every input byte)
 * over the whole file in chunks, (2) the batch transform (workers, every record) over the
 * splitter's batches. Each `--src` is a copy of `task/src` (default: this checkout's); several
 * are timed in alternating rounds, so a before/after comparison shares the machine's noise.
 * Each step is timed as wall time and as the process's CPU time (user + system), which a
 * machine shared with other work disturbs less.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeSample } from "../task/scripts/generate-sample.ts";
import type { ColumnLayout } from "../task/src/records/header.ts";

const { values } = parseArgs({
  options: {
    src: { type: "string", multiple: true, default: ["task/src"] },
    rounds: { type: "string", default: "5" },
    chunk: { type: "string", default: String(4 << 20) },
    rows: { type: "string", default: "1000000" },
    file: { type: "string" },
    /** Instead of the sample: rows whose every field is quoted, with `""` inside (the quote path's worst case). */
    quoted: { type: "boolean", default: false },
  },
});
const ROWS = Number(values.rows);
const ROUNDS = Number(values.rounds);
const CHUNK = Number(values.chunk);
const BATCH_BYTES = 4 << 20;
const file = values.file ?? `/tmp/scanner-bench/sample-v2-${ROWS}-s42.csv`;

type Finder = { pass(chunk: Buffer, from: number, wantFrom: () => number, onRecordEnd: (lf: number) => void): void };

interface Engine {
  name: string;
  /** The splitter's record-end finder alone (QuoteTracker before the change). */
  Finder: new () => Finder;
  scanRecord: (src: Buffer, pos: number, limit: number, sink: unknown, scan: { end: number; complete: boolean }) => void;
  RecordSplitter: new (targetBytes: number) => { push(chunk: Buffer): Buffer[]; end(): Buffer };
  BatchTransformer: new (options: { maxFieldBytes: number }) => { transform(bytes: Buffer, layout: ColumnLayout, final: boolean): { rowsRead: number; clean: Buffer } };
  inputBatches: (chunks: AsyncIterable<Buffer>, file: string, targetBytes: number) => AsyncGenerator<{ bytes: Buffer; layout: ColumnLayout; final: boolean }>;
}

async function load(dir: string): Promise<Engine> {
  const base = resolve(dir);
  const splitter = await import(`${base}/records/record-splitter.ts`);
  const transform = await import(`${base}/transform/batch-transform.ts`);
  const batches = await import(`${base}/transform/input-batches.ts`);
  const rfc4180 = await import(`${base}/records/rfc4180.ts`);
  return { name: dir, Finder: rfc4180.RecordEndFinder ?? rfc4180.QuoteTracker, scanRecord: rfc4180.scanRecord, RecordSplitter: splitter.RecordSplitter, BatchTransformer: transform.BatchTransformer, inputBatches: batches.inputBatches };
}

if (!values.quoted && !existsSync(file)) await writeSample(file, ROWS);
const input = values.quoted ? quotedRows(ROWS) : readFileSync(file);

/** `"Key","Data"` then rows of two quoted fields, one with `""` and a comma inside. */
function quotedRows(rows: number): Buffer {
  const parts = ['"Key","Data"\n'];
  for (let i = 0; i < rows; i++) parts.push(`"k${i}","say ""hi"", ${i} times"\n`);
  return Buffer.from(parts.join(""));
}
const engines = await Promise.all(values.src.map(load));

/** Passes of the record-end finder alone over the input per round: one takes a few milliseconds, too little to time. */
const FIND_PASSES = 10;

/** The record-end finder alone, FIND_PASSES times over the input, asked for a record end every BATCH_BYTES as the splitter asks; returns how many it found. */
function findEnds(engine: Engine): number {
  let found = 0;
  for (let pass = 0; pass < FIND_PASSES; pass++) found += findEndsOnce(engine);
  return found;
}

function findEndsOnce(engine: Engine): number {
  const finder = new engine.Finder();
  let found = 0;
  let next = BATCH_BYTES;
  for (let at = 0; at < input.length; at += CHUNK) {
    const base = at;
    finder.pass(
      input.subarray(at, at + CHUNK),
      0,
      () => next - 1 - base,
      (lf) => {
        found++;
        next = base + lf + 1 + BATCH_BYTES;
      },
    );
  }
  return found;
}

/** The splitter over the whole input, pushed in `CHUNK`-byte pieces; returns the bytes it gave back. */
function split(engine: Engine): number {
  const splitter = new engine.RecordSplitter(BATCH_BYTES);
  let bytes = 0;
  for (let at = 0; at < input.length; at += CHUNK) for (const b of splitter.push(input.subarray(at, at + CHUNK))) bytes += b.length;
  return bytes + splitter.end().length;
}

// The transform's input: the batches (header read off) as the job makes them, once per engine.
async function batchesOf(engine: Engine) {
  const out: { bytes: Buffer; layout: ColumnLayout; final: boolean }[] = [];
  const chunks = (async function* () {
    for (let at = 0; at < input.length; at += CHUNK) yield input.subarray(at, at + CHUNK);
  })();
  for await (const b of engine.inputBatches(chunks, file, BATCH_BYTES)) out.push(b);
  return out;
}
const batches = await Promise.all(engines.map(batchesOf));

/** The batch transform over every batch; returns a checksum of its output (rows read, clean bytes). */
function transform(engine: Engine, i: number): string {
  const transformer = new engine.BatchTransformer({ maxFieldBytes: 65535 });
  let rows = 0;
  let clean = 0;
  for (const b of batches[i]!) {
    const r = transformer.transform(b.bytes, b.layout, b.final);
    rows += r.rowsRead;
    clean += r.clean.length;
  }
  return `${rows}/${clean}`;
}

// Where the records the transform gives the field scanner start, per batch: those with a quote
// before their first line feed (it splits the others on commas itself). Found once, not timed.
const quotedStarts = batches.map((bs) =>
  bs.map(({ bytes: src }) => {
    const starts: number[] = [];
    for (let pos = 0, q = src.indexOf(0x22); q !== -1 && pos < src.length; ) {
      const nl = src.indexOf(0x0a, pos);
      if (nl === -1 || nl > q) {
        starts.push(pos);
        // Past the record: the first line feed after its closing quotes (enough to find the next start here).
        const scan = { end: 0, lineFeeds: 0, complete: false, unterminated: false };
        engines[0]!.scanRecord(src, pos, src.length, undefined, scan);
        pos = scan.end;
        if (q < pos) q = src.indexOf(0x22, pos);
      } else {
        pos = nl + 1;
      }
    }
    return starts;
  }),
);

/** The field scanner alone over the records holding a quote, with a sink that copies the fields as the transform's does; returns the fields. */
function scanFields(engine: Engine, i: number): number {
  const scratch = Buffer.allocUnsafe(1 << 20);
  let w = 0;
  let fields = 0;
  const sink = {
    content: (src: Buffer, from: number, to: number) => {
      src.copy(scratch, w, from, to);
      w += to - from;
    },
    quote: () => {
      scratch[w++] = 0x22;
    },
    endField: () => {
      fields++;
    },
  };
  const scan = { end: 0, lineFeeds: 0, complete: false, unterminated: false };
  batches[i]!.forEach((b, j) => {
    for (const pos of quotedStarts[i]![j]!) {
      w = 0;
      engine.scanRecord(b.bytes, pos, b.bytes.length, sink, scan);
    }
  });
  return fields;
}

const steps = ["split", "find", "transform", "scan"] as const;
type Step = (typeof steps)[number];
const times = Object.fromEntries(steps.map((s) => [s, engines.map(() => [] as number[])])) as Record<Step, number[][]>;
const cpuTimes = Object.fromEntries(steps.map((s) => [s, engines.map(() => [] as number[])])) as Record<Step, number[][]>;
const results = Object.fromEntries(steps.map((s) => [s, new Set<string>()])) as Record<Step, Set<string>>;
const runs: Record<Step, (engine: Engine, i: number) => unknown> = { split: split, find: findEnds, transform, scan: scanFields };
for (let round = 0; round < ROUNDS; round++) {
  engines.forEach((engine, i) => {
    for (const step of steps) {
      const wall = performance.now();
      const cpu = process.cpuUsage();
      results[step].add(String(runs[step](engine, i)));
      const used = process.cpuUsage(cpu);
      times[step][i]!.push(performance.now() - wall);
      cpuTimes[step][i]!.push((used.user + used.system) / 1000);
    }
  });
}
for (const step of steps) if (results[step].size !== 1) throw new Error(`engines disagree on ${step}: ${[...results[step]].join(", ")}`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${values.quoted ? "quoted " : ""}${ROWS.toLocaleString("en-US")} rows, ${(input.length / 2 ** 20).toFixed(1)} MiB, chunks of ${CHUNK} bytes, batches of ${BATCH_BYTES} bytes, median of ${ROUNDS} rounds (ms)`);
const titles: Record<Step, string> = {
  split: "(1) RecordSplitter",
  find: `(1a) its record-end finder alone, ${FIND_PASSES} passes`,
  transform: "(2) BatchTransformer",
  scan: "(2a) field scanner alone, on the records holding a quote",
};
console.log(`${"".padEnd(30)} ${"wall".padStart(8)} ${"cpu".padStart(8)}   (medians; per-round cpu in brackets)`);
for (const step of steps) {
  console.log(titles[step]);
  engines.forEach((engine, i) => {
    const wall = median(times[step][i]!);
    const cpu = median(cpuTimes[step][i]!);
    const vsFirst = i === 0 ? "" : `  cpu ${((cpu / median(cpuTimes[step][0]!) - 1) * 100).toFixed(1).padStart(5)}%, wall ${((wall / median(times[step][0]!) - 1) * 100).toFixed(1).padStart(5)}% vs ${engines[0]!.name}`;
    console.log(`  ${engine.name.padEnd(28)} ${wall.toFixed(1).padStart(8)} ${cpu.toFixed(1).padStart(8)}  [${cpuTimes[step][i]!.map((t) => t.toFixed(0)).join(" ")}]${vsFirst}`);
  });
}
