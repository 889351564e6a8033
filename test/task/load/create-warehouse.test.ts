import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { buildCopyManifest } from "../../../task/src/sinks/copy-manifest.ts";
import { createWarehouse } from "../../../task/src/load/create-warehouse.ts";
import { readHolder } from "../../../task/src/load/warehouse-lock.ts";
import { lockPathFor } from "../../../task/src/load/warehouse-lock-decision.ts";
import { tempDir } from "../../support/temp-dir.ts";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { inMemoryObjectSource, startRedshiftDataEmulator, type RedshiftDataEmulator } from "../../support/redshift-data-emulator/index.ts";
import { inputNamed, loadRequest, partBytes, rowsRange } from "./support/load-fixtures.ts";
import { sharedPglite } from "./support/shared-pglite.ts";

describe("createWarehouse", () => {
  describe("Redshift", () => {
    const objects = new Map<string, Uint8Array | string>();
    let emulator: RedshiftDataEmulator;
    before(async () => {
      emulator = await startRedshiftDataEmulator({ s3: inMemoryObjectSource(objects), db: await sharedPglite(), workgroupName: "factory-wg" });
    });
    after(async () => {
      await emulator?.stop();
    });

    it("builds a Data API warehouse from the config, the client pointed at the given endpoint", async () => {
      const part = partBytes(rowsRange(0, 2));
      objects.set("s3://out/f/part-0.csv.gz", part);
      objects.set("s3://out/f/manifest.json", JSON.stringify(buildCopyManifest([{ url: "s3://out/f/part-0.csv.gz", bytes: part.length }])));
      const wh = await createWarehouse(
        { kind: "redshift", workgroupName: "factory-wg", database: "dev", copyRoleArn: "arn:aws:iam::123456789012:role/copy", pollInitialMs: 2, pollMaxMs: 10 },
        { redshiftClientConfig: { endpoint: emulator.endpoint, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } } },
      );
      try {
        const request = loadRequest({
          runId: "factory-1",
          table: "public.factory_rs",
          inputs: [inputNamed("f")],
          manifestUrl: "s3://out/f/manifest.json",
          parts: [{ url: "s3://out/f/part-0.csv.gz", rows: rowsRange(0, 2), bytes: part.length }],
        });
        assert.equal((await wh.load(request)).loaded, 2);
        assert.deepEqual(emulator.statements.list()[0]!.request.workgroupName, "factory-wg");
      } finally {
        await wh.close();
      }
    });

    it("refuses a config the Data API would refuse, before any call", async () => {
      await assert.rejects(
        createWarehouse({ kind: "redshift", database: "dev", copyRoleArn: "arn:aws:iam::123456789012:role/copy" }, { redshiftClientConfig: { region: "us-east-1" } }),
        (e: unknown) => e instanceof EtlError && e.code === "USAGE",
      );
    });
  });

  describe("Postgres", () => {
    it("refuses both a folder and a URL, and a URL that is not postgres://", async () => {
      await assert.rejects(createWarehouse({ kind: "postgres", dataDir: "x", url: "postgres://h/db" }), /not both/);
      await assert.rejects(createWarehouse({ kind: "postgres", url: "mysql://h/db" }), /postgres:\/\//);
    });

    it("locks a PGlite folder while it is open: another open waits, then fails naming the holder; after close it opens", async function () {
      this.timeout(30_000);
      const dir = await tempDir();
      const dataDir = join(dir.path, "wh");
      try {
        const first = await createWarehouse({ kind: "postgres", dataDir }, { lock: { command: "run", runId: "holder-1", waitMs: 0 } });
        let closed = false;
        try {
          assert.deepEqual((await readHolder(lockPathFor(dataDir)))?.runId, "holder-1");
          const waits: string[] = [];
          await assert.rejects(
            createWarehouse({ kind: "postgres", dataDir }, { lock: { command: "sql", waitMs: 300, onWait: (m) => waits.push(m) } }),
            (e: unknown) => e instanceof EtlError && e.code === "WAREHOUSE_LOCKED" && new RegExp(`pid ${process.pid} .*run holder-1`).test(e.message),
          );
          assert.equal(waits.length, 1);
          await first.query("SELECT 1");
          await first.close();
          closed = true;
          assert.equal(existsSync(lockPathFor(dataDir)), false, "closing releases the lock");
          const second = await createWarehouse({ kind: "postgres", dataDir }, { lock: { command: "sql", waitMs: 0 } });
          assert.deepEqual((await second.query("SELECT 2 AS n")).rows, [[2]]);
          await second.close();
        } finally {
          if (!closed) await first.close();
        }
      } finally {
        await dir.cleanup();
      }
    });
  });
});
