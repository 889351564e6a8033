import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import fc from "fast-check";
import { partitionDuplicates } from "../../../task/src/dedup/partition-dedup.ts";
import { SpillingDedup } from "../../../task/src/dedup/spilling-dedup.ts";
import { tempDir } from "../../support/temp-dir.ts";

/** Batches of lines with the hashes the caller gives: deliberately weak, so collisions happen. */
function batchOf(lines: string[], hash: (l: string) => number) {
  const bytes = Buffer.from(lines.join(""));
  const ends = new Uint32Array(lines.length);
  let at = 0;
  lines.forEach((l, i) => (ends[i] = at += Buffer.byteLength(l)));
  return { bytes, ends, hashes: Int32Array.from(lines, hash) };
}

/** Runs inputs (each a list of batches) through a dedup; returns the output text and counts per input. */
async function run(inputs: string[][][], budgetBytes: number, spillDir: string, hash: (l: string) => number, partitions?: number, helpers = 0) {
  const dedup = new SpillingDedup({ budgetBytes, spillDir, minPartitionBytes: 0, ...(partitions ? { partitions } : {}) });
  let out = "";
  const kept: number[] = [];
  const dups: number[] = [];
  try {
    inputs.forEach((batches, input) => {
      kept[input] = 0;
      dups[input] = 0;
      for (const lines of batches) {
        const b = batchOf(lines, hash);
        const r = dedup.offer(b.bytes, b.ends, b.hashes, input);
        out += Buffer.concat(r.kept.map((k) => k.lines)).toString();
        kept[input] += r.keptRows;
        dups[input] += r.duplicates;
        assert.equal(r.keptRows + r.duplicates + r.spilled, lines.length);
      }
    });
    const spilled = dedup.spilled;
    // Helpers as a worker thread runs them, a tick later.
    const helper = async (task: Parameters<typeof partitionDuplicates>[0]) => {
      await new Promise((r) => setTimeout(r, 1));
      return partitionDuplicates(task);
    };
    const drained = await dedup.drain(
      async (bytes, rows) => {
        assert.equal(bytes.toString().split("\n").length - 1, rows);
        out += bytes.toString();
      },
      Array.from({ length: helpers }, () => helper),
    );
    inputs.forEach((_, i) => {
      kept[i]! += drained.keptByInput[i] ?? 0;
      dups[i]! += drained.duplicatesByInput[i] ?? 0;
    });
    return { out, kept, dups, spilled };
  } finally {
    dedup.close();
  }
}

const line = fc.constantFrom("a,1\n", "b,2\n", "é,3\n", '"x,y",4\n', "c,5\n", "d,6\n", "e,7\n", "f,8\n", "g,9\n", "h,10\n");
const inputsArb = fc.array(fc.array(fc.array(line, { maxLength: 15 }), { maxLength: 5 }), { minLength: 1, maxLength: 3 });

describe("SpillingDedup", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(async () => dir.cleanup());

  it("gives the in-memory result byte for byte, whatever the budget (property)", async () => {
    await fc.assert(
      fc.asyncProperty(inputsArb, fc.constantFrom(0, 1, 100, 1 << 30), fc.constantFrom(2, 64), fc.nat(2), async (inputs, budget, partitions, helpers) => {
        const hash = (l: string) => Math.imul(l.charCodeAt(0), 0x9e3779b1) ^ (l.length << 28);
        const expected = await run(inputs, 1 << 30, dir.path, hash);
        const actual = await run(inputs, budget, dir.path, hash, partitions, helpers);
        assert.equal(actual.out, expected.out);
        assert.deepEqual(actual.kept, expected.kept);
        assert.deepEqual(actual.dups, expected.dups);
        const seen = new Set<string>();
        assert.equal(expected.out, inputs.flat(2).filter((l) => !seen.has(l) && seen.add(l)).join(""));
      }),
      { numRuns: 60 },
    );
  });

  it("splits a partition that is over the budget, even when every hash collides", async () => {
    const lines = Array.from({ length: 600 }, (_, i) => `line-${i % 400}\n`);
    const expected = [...new Set(lines)].join("");
    for (const hash of [(l: string) => Math.imul(Number(l.slice(5, -1)), 0x9e3779b1), () => 7]) {
      const r = await run([[lines.slice(0, 100), lines.slice(100)]], 200, dir.path, hash);
      assert.ok(r.spilled);
      assert.equal(r.out, expected);
      assert.deepEqual(r.kept, [400]);
    }
  });

  it("removes its spill files", async () => {
    await run([[["a,1\n", "b,2\n"], ["a,1\n", "c,3\n"]]], 0, dir.path, () => 1);
    assert.deepEqual(await readdir(dir.path), []);
  });
});
