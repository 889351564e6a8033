import assert from "node:assert/strict";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { EtlError } from "../../../task/src/errors.ts";
import { buildCopyManifest } from "../../../task/src/sinks/copy-manifest.ts";
import { taskIamActions } from "../../../task/src/iam-actions.ts";
import { REDSHIFT_WAREHOUSE_ACTIONS, type DataApiSender } from "../../../task/src/load/data-api-statements.ts";
import { RedshiftWarehouse } from "../../../task/src/load/redshift-warehouse.ts";
import type { LoadRequest } from "../../../task/src/load/warehouse.ts";
import { startRedshiftDataEmulator, type RedshiftDataEmulator } from "../../support/redshift-data-emulator/index.ts";
import { freshBucket, s3Server, s3ServerStartTimeoutMs, s3TestClient } from "../../support/s3-server.ts";
import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { sharedPglite } from "./support/shared-pglite.ts";
import { md5RowHash, rowHashMigrationSql, type RowHashSql } from "../../../task/src/load/row-hash-sql.ts";
import { parseTableName } from "../../../task/src/load/table-names.ts";
import { translateStatement } from "../../support/redshift-data-emulator/translate.ts";
import { oldRedshiftTargetDdl } from "./support/old-target.ts";
import { assertCollidedTable, assertRealHashes, COLLIDING_FIRST, COLLIDING_SECOND, COLLIDING_SECOND_RESULT, tinyRowHash } from "./support/row-hash-cases.ts";
import { inputNamed, loadRequest, partBytes, rowSet, rowsRange, type Row } from "./support/load-fixtures.ts";

const COPY_ROLE = "arn:aws:iam::123456789012:role/cti-etl-copy";
const config = {
  workgroupName: "cti-wg",
  database: "dev",
  copyRoleArn: COPY_ROLE,
  pollInitialMs: 2,
  pollMaxMs: 20,
};

describe("RedshiftWarehouse (Data API emulator, parts in a real S3)", function () {
  let s3: S3Client;
  let bucket: string;
  let emulator: RedshiftDataEmulator;
  let client: RedshiftDataClient;
  /** Data API actions the warehouse called, from the commands it sent. */
  const called = new Set<string>();
  let tableSeq = 0;

  before(async function () {
    this.timeout(s3ServerStartTimeoutMs);
    const ep = await s3Server();
    s3 = s3TestClient(ep);
    bucket = await freshBucket("warehouse-rs");
    emulator = await startRedshiftDataEmulator({ s3, db: await sharedPglite(), workgroupName: "cti-wg", pollsPerStatus: 1 });
    client = new RedshiftDataClient({
      endpoint: emulator.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
  });

  after(async () => {
    client?.destroy();
    await emulator?.stop();
    s3?.destroy();
  });

  afterEach(() => {
    delete emulator.faults.failWhen;
    delete emulator.faults.hangWhen;
    delete emulator.faults.rejectRequestWhen;
  });

  /** The client, recording the action behind each command it sends. */
  const recording: DataApiSender = {
    send: ((command: { constructor: { name: string } }, ...rest: unknown[]) => {
      called.add(`redshift-data:${command.constructor.name.replace(/Command$/, "")}`);
      return (client.send as (...args: unknown[]) => unknown)(command, ...rest);
    }) as DataApiSender["send"],
  };

  function warehouse(overrides: Partial<typeof config> & { deadlineMs?: number } = {}, rowHash?: RowHashSql): RedshiftWarehouse {
    return new RedshiftWarehouse({ ...config, ...overrides }, { client: recording, cancelGraceMs: 5_000, ...(rowHash ? { rowHash } : {}) });
  }

  /** Writes the parts and the manifest of a run into the bucket; returns its LoadRequest. */
  async function stageRun(runId: string, table: string, inputs: string[], parts: Row[][]): Promise<LoadRequest> {
    const written = [];
    for (const [i, rows] of parts.entries()) {
      const key = `runs/${runId}/clean/part-${String(i).padStart(5, "0")}.csv.gz`;
      const body = partBytes(rows);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      written.push({ url: `s3://${bucket}/${key}`, rows, bytes: body.length });
    }
    const manifestKey = `runs/${runId}/manifest.json`;
    const manifest = buildCopyManifest(written.map((p) => ({ url: p.url, bytes: p.bytes })));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: manifestKey, Body: JSON.stringify(manifest) }));
    return loadRequest({ runId, table, inputs: inputs.map(inputNamed), manifestUrl: `s3://${bucket}/${manifestKey}`, parts: written });
  }

  async function tableRows(table: string): Promise<string[]> {
    const { rows } = await emulator.db.query<unknown[]>(`SELECT key, data FROM ${table}`, [], { rowMode: "array" });
    return rowSet(rows);
  }

  async function ledgerRows(table: string): Promise<Array<Record<string, unknown>>> {
    return (await emulator.db.query<Record<string, unknown>>(`SELECT * FROM ${table}_ledger ORDER BY run_id`)).rows;
  }

  function newTable(): string {
    return `public.cti_rs_${++tableSeq}`;
  }

  it("loads the parts' rows once; a rerun of the same input is already-loaded by the first run", async () => {
    const table = newTable();
    const rows = [rowsRange(0, 3), [["a,b", 'say "hi"'], ["multi\nline", "ü"]] as Row[]];
    const first = await stageRun("run-1", table, ["day1"], rows);
    const result = await warehouse().load(first);
    assert.deepEqual(result, { outcome: "loaded", loadedBy: "run-1", loaded: 5, alreadyPresent: 0 });
    assert.deepEqual(await tableRows(table), rowSet(rows.flat()));
    const ledger = await ledgerRows(table);
    assert.equal(ledger.length, 1);
    assert.equal(ledger[0]!.run_id, "run-1");
    assert.equal(ledger[0]!.status, "loaded");
    assert.equal(Number(ledger[0]!.loaded), 5);
    assert.deepEqual(JSON.parse(String(ledger[0]!.inputs))[0].etag, "day1-etag");

    const before = emulator.statements.list().length;
    const rerun = await stageRun("run-2", table, ["day1"], rows);
    assert.deepEqual(await warehouse().load(rerun), { outcome: "already-loaded", loadedBy: "run-1", loaded: 0, alreadyPresent: 5 });
    assert.equal(emulator.statements.list().length, before + 1, "only the setup batch ran");
    assert.equal((await tableRows(table)).length, 5);
    assert.equal((await ledgerRows(table)).length, 1);
  });

  it("loads parts whose rows repeat across them (a fanned-out run's shards) once each, reading the distinct count from its batch", async () => {
    const table = newTable();
    await warehouse().load(await stageRun("rep-0", table, ["before"], [rowsRange(0, 4)]));
    const request = { ...(await stageRun("rep-1", table, ["s1", "s2"], [rowsRange(2, 8), rowsRange(6, 8)])), rowsMayRepeat: true };
    assert.deepEqual(await warehouse().load(request), { outcome: "loaded", loadedBy: "rep-1", loaded: 10, alreadyPresent: 2 });
    assert.deepEqual(await tableRows(table), rowSet(rowsRange(0, 14)));
    const row = (await ledgerRows(table)).find((r) => r.run_id === "rep-1")!;
    assert.deepEqual([row.clean, row.duplicates, row.loaded, row.already_present].map(Number), [12, request.counts.duplicates + 4, 10, 2]);
    const batch = emulator.statements.list().filter((st) => st.isBatch).at(-1)!;
    assert.equal(batch.sqls.filter((q) => q.includes("(SELECT COUNT(*) AS n FROM (SELECT DISTINCT")).length, 1, "the stage's distinct rows are counted once, by the ledger row");
    assert.ok(batch.sqls.at(-1)!.startsWith('SELECT "already_present" FROM'), "already present is read back from the ledger row, in the load batch");
  });

  it("creates a schema that is not public before its table and ledger, once, and loads into it", async () => {
    const schema = `analytics_rs_${++tableSeq}`;
    const table = `${schema}.cti_records`;
    const before = emulator.statements.list().length;
    const first = await warehouse().load(await stageRun("run-schema-1", table, ["day1"], [rowsRange(0, 4)]));
    assert.deepEqual(first, { outcome: "loaded", loadedBy: "run-schema-1", loaded: 4, alreadyPresent: 0 });
    assert.deepEqual(await tableRows(table), rowSet(rowsRange(0, 4)));
    assert.deepEqual((await ledgerRows(table)).map((r) => r.run_id), ["run-schema-1"]);
    const sent = emulator.statements.list().slice(before).map((s) => s.subStatements.map((sub) => sub.sql));
    assert.match(sent[0]![0]!, /FROM "pg_catalog"\."pg_namespace" WHERE "nspname" = 'analytics_rs_\d+'$/);
    assert.equal(sent[1]![0], `CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    assert.match(sent[1]![1]!, new RegExp(`^CREATE TABLE IF NOT EXISTS "${schema}"\\."cti_records" `));

    const again = emulator.statements.list().length;
    const rerun = await warehouse().load(await stageRun("run-schema-2", table, ["day1"], [rowsRange(0, 4)]));
    assert.deepEqual(rerun, { outcome: "already-loaded", loadedBy: "run-schema-1", loaded: 0, alreadyPresent: 4 });
    const setup = emulator.statements.list().slice(again).flatMap((s) => s.subStatements.map((sub) => sub.sql));
    assert.ok(!setup.some((sql) => sql.startsWith("CREATE SCHEMA")), "the schema is there: not created again");
  });

  it("adds only the new rows of a changed input and counts the rest as already present", async () => {
    const table = newTable();
    await warehouse().load(await stageRun("run-a", table, ["day1"], [rowsRange(0, 10)]));
    const changed = await stageRun("run-b", table, ["day1", "day2"], [rowsRange(5, 10), rowsRange(100, 2)]);
    assert.deepEqual(await warehouse().load(changed), { outcome: "loaded", loadedBy: "run-b", loaded: 7, alreadyPresent: 5 });
    assert.deepEqual(await tableRows(table), rowSet([...rowsRange(0, 15), ...rowsRange(100, 2)]));
    const ledger = await ledgerRows(table);
    assert.deepEqual(
      ledger.map((r) => [r.run_id, Number(r.loaded), Number(r.already_present)]),
      [
        ["run-a", 10, 0],
        ["run-b", 7, 5],
      ],
    );
  });

  it("leaves no rows and no ledger row when a statement fails mid-transaction, naming it", async () => {
    const table = newTable();
    emulator.faults.failWhen = (sql) => (/^INSERT INTO "public"\."cti_rs_\d+" \(/.test(sql) ? "ERROR: injected failure" : undefined);
    const request = await stageRun("run-fail", table, ["day1"], [rowsRange(0, 4)]);
    await assert.rejects(
      warehouse().load(request),
      (e: unknown) => e instanceof EtlError && /statement 5 of 6 \(insert-new-rows\) ended FAILED: ERROR: injected failure/.test(e.message),
    );
    assert.deepEqual(await tableRows(table), []);
    assert.deepEqual(await ledgerRows(table), []);
    delete emulator.faults.failWhen;
    assert.equal((await warehouse().load(await stageRun("run-fail-2", table, ["day1"], [rowsRange(0, 4)]))).loaded, 4);
  });

  it("fails the COPY of a part that does not match the manifest and loads nothing", async () => {
    const table = newTable();
    const request = await stageRun("run-short", table, ["x"], [rowsRange(0, 3)]);
    const tampered = partBytes(rowsRange(0, 2));
    const key = request.parts[0]!.url.replace(`s3://${bucket}/`, "");
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: tampered }));
    await assert.rejects(warehouse().load(request), /statement 3 of 6 \(copy-parts\) ended FAILED: .*content_length/);
    assert.deepEqual(await ledgerRows(table), []);
  });

  it("cancels a statement hanging past the deadline and fails with DEADLINE_EXCEEDED", async () => {
    const table = newTable();
    const request = await stageRun("run-hang", table, ["day1"], [rowsRange(0, 3)]);
    emulator.faults.hangWhen = (sql) => sql.startsWith("INSERT INTO") && sql.includes("cti_etl_stage");
    const started = Date.now();
    await assert.rejects(warehouse({ deadlineMs: 400 }).load(request), (e: unknown) => e instanceof EtlError && e.code === "DEADLINE_EXCEEDED");
    assert.ok(Date.now() - started < 5_000);
    const hung = emulator.statements.list().at(-1)!;
    assert.equal(hung.status, "ABORTED");
    assert.ok(called.has("redshift-data:CancelStatement"));
    delete emulator.faults.hangWhen;
    await emulator.statements.idle();
    assert.deepEqual(await tableRows(table), []);
    assert.deepEqual(await ledgerRows(table), []);
  });

  it("passes a ClientToken that is stable for the run, so a retried submission runs once", async () => {
    const table = newTable();
    const request = await stageRun("run-token", table, ["tok"], [rowsRange(0, 2)]);
    const tokens: string[] = [];
    let rejected = false;
    emulator.faults.rejectRequestWhen = (operation, input) => {
      if (operation !== "BatchExecuteStatement") return undefined;
      tokens.push(String(input.ClientToken));
      if (rejected || !String(input.Sqls).includes("COPY")) return undefined;
      rejected = true;
      return { type: "InternalServerException", message: "lost response" };
    };
    const before = emulator.statements.list().length;
    const result = await warehouse().load(request);
    assert.equal(result.loaded, 2);
    const batches = emulator.statements.list().slice(before);
    assert.equal(batches.length, 2, "setup and load: the rejected submission created nothing");
    const [setupToken, loadToken, retriedToken] = tokens;
    assert.match(loadToken!, /^cti-etl-load-[0-9a-f]{40}$/);
    assert.equal(retriedToken, loadToken);
    assert.notEqual(setupToken, loadToken);
    assert.equal(batches[1]!.request.clientToken, loadToken);
    // Submitting the same run again answers with the statement created the first time.
    const again = await warehouse().load(request);
    assert.deepEqual(again, result);
    assert.equal(emulator.statements.list().length, before + 2);
  });

  it("answers already-loaded when a concurrent load of the same input commits first", async () => {
    const table = newTable();
    const a = await stageRun("run-race-a", table, ["race"], [rowsRange(0, 6)]);
    const b = await stageRun("run-race-b", table, ["race"], [rowsRange(0, 6)]);
    const before = emulator.statements.list().length;
    const results = await Promise.all([warehouse().load(a), warehouse().load(b)]);
    const winner = results.find((r) => r.outcome === "loaded")!;
    const loser = results.find((r) => r.outcome === "already-loaded")!;
    assert.ok(winner && loser, JSON.stringify(results));
    assert.equal(loser.loadedBy, winner.loadedBy);
    const tokens = emulator.statements.list().slice(before).map((s) => s.request.clientToken ?? "");
    assert.equal(tokens.filter((t) => t.startsWith("cti-etl-load-")).length, 2, "both loads ran their transaction");
    assert.equal(tokens.filter((t) => t.startsWith("cti-etl-recheck-")).length, 1, "the later one found it had lost the race");
    assert.equal((await tableRows(table)).length, 6);
    assert.equal((await ledgerRows(table)).length, 1);
  });

  it("tries the setup again once when creating the tables fails (two first loads racing in the catalog)", async () => {
    const table = newTable();
    let failures = 0;
    emulator.faults.failWhen = (sql) =>
      sql.startsWith(`CREATE TABLE IF NOT EXISTS "public"."${table.split(".")[1]}"`) && failures++ === 0
        ? 'ERROR: duplicate key value violates unique constraint "pg_type_typname_nsp_index"'
        : undefined;
    assert.equal((await warehouse().load(await stageRun("run-setup-retry", table, ["s"], [rowsRange(0, 2)]))).loaded, 2);
    assert.equal(failures, 2);
    const tokens = emulator.statements.list().map((s) => s.request.clientToken ?? "");
    assert.ok(tokens.some((t) => t.startsWith("cti-etl-setup-retry-")));
  });

  async function hashedRows(table: string) {
    return (await emulator.db.query<{ key: string; data: string; row_hash: string }>(`SELECT key, data, row_hash FROM ${table}`)).rows;
  }

  it("loads rows whose row hashes collide, and skips only exact duplicates (a one-digit hash)", async () => {
    const table = newTable();
    const first = await warehouse({}, tinyRowHash).load(await stageRun("run-collide-1", table, ["c1"], [COLLIDING_FIRST]));
    assert.deepEqual(first, { outcome: "loaded", loadedBy: "run-collide-1", loaded: 40, alreadyPresent: 0 });
    const second = await warehouse({}, tinyRowHash).load(await stageRun("run-collide-2", table, ["c2"], [COLLIDING_SECOND]));
    assert.deepEqual(second, { outcome: "loaded", loadedBy: "run-collide-2", ...COLLIDING_SECOND_RESULT });
    assertCollidedTable(await hashedRows(table));
    assert.deepEqual((await ledgerRows(table)).map((r) => Number(r.loaded)), [40, 3]);
  });

  it("stops before loading into a target made by the old DDL, naming the SQL that migrates it; once run, loads by hash", async () => {
    const table = newTable();
    const ddl = translateStatement(oldRedshiftTargetDdl(table));
    assert.equal(ddl.kind, "sql");
    await emulator.db.exec(ddl.kind === "sql" ? ddl.sql : "");
    await emulator.db.exec(`INSERT INTO ${table} SELECT 'k' || i, 'd' || i, 'old-run', now() FROM generate_series(0, 9) AS i`);
    const request = await stageRun("run-old-1", table, ["old"], [rowsRange(5, 10)]);
    const before = emulator.statements.list().length;
    const stopped = await warehouse().load(request).then(
      () => assert.fail("the load should stop"),
      (e: unknown) => e as EtlError,
    );
    assert.ok(stopped instanceof EtlError && stopped.code === "LOAD_FAILED", String(stopped));
    assert.equal(emulator.statements.list().length, before + 1, "only the setup batch ran: nothing staged or loaded");
    assert.deepEqual(await ledgerRows(table), []);
    const statements = stopped.message.split("\n").filter((line) => line.startsWith("  ")).map((line) => line.trim().replace(/;$/, ""));
    assert.deepEqual(statements, rowHashMigrationSql("redshift", parseTableName(table), md5RowHash));
    // An operator runs them as the message says (here through the Data API), then reruns the job.
    for (const sql of statements) await warehouse().query(sql);
    // A new run (the Data API would answer the first run's setup ClientToken with its old result).
    const rerun = await stageRun("run-old-2", table, ["old"], [rowsRange(5, 10)]);
    assert.deepEqual(await warehouse().load(rerun), { outcome: "loaded", loadedBy: "run-old-2", loaded: 5, alreadyPresent: 5 });
    const rows = await hashedRows(table);
    assert.deepEqual(rowSet(rows.map((r) => [r.key, r.data])), rowSet(rowsRange(0, 15)));
    assertRealHashes(rows);
  });

  it("queries through ExecuteStatement and GetStatementResult", async () => {
    const table = newTable();
    await warehouse().load(await stageRun("run-q", table, ["q"], [rowsRange(0, 3)]));
    const result = await warehouse().query(`SELECT key, data FROM ${table} ORDER BY key`);
    assert.deepEqual(result, { columns: ["key", "data"], rows: rowsRange(0, 3).map((r) => [...r]) });
  });

  it("calls only Data API actions the infra grants the task", () => {
    const granted = new Set<string>(Object.values(taskIamActions.redshiftData).flat());
    for (const action of REDSHIFT_WAREHOUSE_ACTIONS) assert.ok(granted.has(action), action);
    for (const action of called) assert.ok((REDSHIFT_WAREHOUSE_ACTIONS as readonly string[]).includes(action), action);
    assert.ok(called.has("redshift-data:BatchExecuteStatement") && called.has("redshift-data:DescribeStatement"));
  });
});
