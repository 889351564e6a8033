/**
 * The fan-out's promise, as a property: any contiguous sharding of a set of objects loads the same
 * table and records the same ledger counts and input fingerprint as one task over the same objects.
 * The real plan, shard and commit code (plan/) runs in-process over local files into PGlite.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import fc from "fast-check";
import { pgliteSession } from "../../../task/src/load/pglite-session.ts";
import { PostgresWarehouse } from "../../../task/src/load/postgres-warehouse.ts";
import { loadRequestFor } from "../../../task/src/load/load-run.ts";
import { commitRun } from "../../../task/src/plan/commit-run.ts";
import { planText } from "../../../task/src/plan/plan-file.ts";
import { localFile } from "../../../task/src/plan/stored-file.ts";
import { plannedInput } from "../../../task/src/plan/planned-input.ts";
import { shardRun } from "../../../task/src/plan/shard-run.ts";
import type { PlannedObject, Shard } from "../../../task/src/plan/shard-plan.ts";
import { transformAndPublish } from "../../../task/src/run/transform-and-publish.ts";
import { LocalRunOutput } from "../../../task/src/sinks/local-run-output.ts";
import { localInput } from "../../../task/src/source/local-input.ts";
import { tempDir } from "../../support/temp-dir.ts";

/** Rows from small sets, so rows repeat within and across objects, and some are rejected or normalise alike. */
const row = fc.record({ key: fc.constantFrom("a", " A", "b", "B ", "c", "", "d"), data: fc.constantFrom("1", "1 ", "x", "X", "", "long value") });
const objects = fc.array(fc.array(row, { minLength: 0, maxLength: 30 }), { minLength: 1, maxLength: 6 });

const transform = { maxFieldBytes: 65_535, partBytes: 1 << 20, compression: "gzip" as const, gzipLevel: 1, workers: 1, memoryBudgetBytes: 64 << 20 };

describe("sharding a run, as a property", function () {
  this.timeout(600_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let single: PGlite;
  let fanned: PGlite;
  before(async () => {
    dir = await tempDir();
    [single, fanned] = await Promise.all([PGlite.create(), PGlite.create()]);
  });
  after(async () => {
    await Promise.all([single?.close(), fanned?.close()]);
    await dir?.cleanup();
  });

  it("any contiguous sharding of any objects gives the table and the ledger counts of one task", async () => {
    let iteration = 0;
    await fc.assert(
      fc.asyncProperty(objects, fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), async (contents, cutAfter) => {
        const n = ++iteration;
        const table = `public.t_prop_${n}`;
        const input = join(dir.path, `in-${n}`);
        await mkdir(input);
        const planned: PlannedObject[] = [];
        for (const [i, rows] of contents.entries()) {
          const body = `Key,Data\n${rows.map((r) => `${r.key},${r.data}`).join("\n")}\n`;
          const path = join(input, `o${i}.csv`);
          await writeFile(path, body);
          planned.push({ uri: path, bytes: Buffer.byteLength(body) });
        }
        // One task.
        const oneOut = await LocalRunOutput.create(join(dir.path, `one-${n}`), "run");
        const one = await transformAndPublish({ runId: `one-${n}`, input: localInput(input), output: oneOut, ...transform });
        await new PostgresWarehouse(pgliteSession(single, false)).load(loadRequestFor(one, oneOut, table));

        // The same objects cut into contiguous shards where `cutAfter` says.
        const shards: Shard[] = [];
        for (const [i, object] of planned.entries()) {
          if (i === 0 || cutAfter[i - 1]) shards.push({ index: shards.length, bytes: 0, objects: [] });
          const shard = shards.at(-1)!;
          shard.objects.push(object);
          shard.bytes += object.bytes;
        }
        const runId = `fan-${n}`;
        const planPath = join(dir.path, `out-${n}`, runId, "plan.jsonl");
        await mkdir(join(dir.path, `out-${n}`, runId), { recursive: true });
        await writeFile(planPath, planText(runId, shards));
        const planUri = pathToFileURL(planPath).href;
        for (const shard of shards) {
          await shardRun({
            planUri,
            index: shard.index,
            file: async (uri) => localFile(uri),
            input: (line) => plannedInput(line.objects),
            openOutput: (root, id) => LocalRunOutput.create(new URL(root).pathname, id),
            transform: (id, source, output) => transformAndPublish({ runId: id, input: source, output, ...transform }),
          });
        }
        const committed = await commitRun({ planUri, file: async (uri) => localFile(uri), openWarehouse: async () => new PostgresWarehouse(pgliteSession(fanned, false)), table });

        const rows = (db: PGlite) => db.query<{ k: string }>(`SELECT key || '|' || data AS k FROM ${table} ORDER BY 1`).then((r) => r.rows.map((x) => x.k));
        const ledger = (db: PGlite) =>
          db.query(`SELECT input_fingerprint, rows_read, clean, duplicates, rejected, loaded, already_present FROM ${table}_ledger`).then((r) => r.rows);
        assert.deepEqual(await rows(fanned), await rows(single), `${shards.length} shard(s)`);
        assert.deepEqual(await ledger(fanned), await ledger(single));
        assert.equal(committed.load.loaded + committed.load.alreadyPresent + (committed.crossShardDuplicates ?? 0), committed.summary.clean);
      }),
      { numRuns: 60 },
    );
  });
});
