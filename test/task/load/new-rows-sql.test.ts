import assert from "node:assert/strict";
import type { PGlite } from "@electric-sql/pglite";
import { analyzeStageFirst, buildIndexAfterInsert, insertNewRowsSql, newRowsMatch, postgresNewRowsSettingsSql, stageRowCheckSql, targetStateSql } from "../../../task/src/load/new-rows-sql.ts";
import { md5RowHash, md5RowHashOf, rowHashIndexDdl } from "../../../task/src/load/row-hash-sql.ts";
import { stageTableDdl, targetTableDdl } from "../../../task/src/load/table-ddl.ts";
import { sqlTableName, warehouseTables } from "../../../task/src/load/table-names.ts";
import { inRolledBackTransaction, insertRows, ledgerRow, pgliteWithTables, tables } from "./support/pglite-tables.ts";

const FP = "f".repeat(64);
const target = '"public"."cti_records"';
const stage = '"cti_etl_stage"';
const ledger = '"public"."cti_records_ledger"';

describe("stageRowCheckSql", () => {
  let db: PGlite;
  before(async () => {
    db = await pgliteWithTables();
  });

  it("passes when the stage holds exactly the expected rows", async () => {
    await inRolledBackTransaction(db, async (tx) => {
      await insertRows(tx, stage, [["a", "1"], ["b", "2"]]);
      const { rows } = await tx.query<{ stage_check: number }>(stageRowCheckSql("postgres", tables, 2));
      assert.deepEqual(rows, [{ stage_check: 0 }]);
    });
  });

  it("fails the statement, saying both counts, when the stage holds another number of rows", async () => {
    for (const dialect of ["postgres", "redshift"] as const) {
      await inRolledBackTransaction(db, async (tx) => {
        await insertRows(tx, stage, [["a", "1"], ["b", "2"]]);
        await assert.rejects(tx.query(stageRowCheckSql(dialect, tables, 3)), /cti-etl: the stage holds 2 rows, the run's clean parts 3/);
      });
    }
  });

  it("passes for an empty run", async () => {
    await inRolledBackTransaction(db, async (tx) => {
      assert.deepEqual((await tx.query(stageRowCheckSql("postgres", tables, 0))).rows, [{ stage_check: 0 }]);
    });
  });
});

describe("newRowsMatch, analyzeStageFirst and postgresNewRowsSettingsSql", () => {
  const state = (targetBytes: number, stageBytes: number, targetEmpty = false) => ({ targetEmpty, targetBytes, stageBytes });
  it("matches nothing in an empty target, whatever its size on disk (rows deleted) or index", () => {
    assert.equal(newRowsMatch(state(0, 8192, true), false), "target-empty");
    assert.equal(newRowsMatch(state(10 ** 9, 8192, true), true), "target-empty");
  });

  it("probes the index once the target is at least as large as the stage, and the planner's anti-join below that", () => {
    assert.equal(newRowsMatch(state(8191, 8192), true), "anti-join");
    assert.equal(newRowsMatch(state(8192, 8192), true), "probe-index");
    assert.equal(newRowsMatch(state(10 ** 9, 8192), true), "probe-index");
    assert.equal(newRowsMatch(state(10 ** 9, 8192), false), "anti-join", "never without the index");
  });

  it("builds the index after the insert only for a target that has the column but not the index", () => {
    assert.equal(buildIndexAfterInsert(true, false), true);
    assert.equal(buildIndexAfterInsert(true, true), false);
    assert.equal(buildIndexAfterInsert(false, false), false, "a target being migrated gets its index first");
  });

  it("analyzes the stage whenever a plan depends on its size: a match against the target, or the DISTINCT of repeating rows", () => {
    assert.equal(analyzeStageFirst("target-empty", false), false);
    assert.equal(analyzeStageFirst("target-empty", true), true);
    assert.equal(analyzeStageFirst("probe-index", false), true);
    assert.equal(analyzeStageFirst("anti-join", false), true);
  });

  it("turns merge and hash joins off only to probe the index, and always gives the sort or hash memory", () => {
    assert.deepEqual(postgresNewRowsSettingsSql("probe-index"), ["SET LOCAL enable_mergejoin = off", "SET LOCAL enable_hashjoin = off", "SET LOCAL work_mem = '128MB'"]);
    assert.deepEqual(postgresNewRowsSettingsSql("anti-join"), ["SET LOCAL work_mem = '128MB'"]);
    assert.deepEqual(postgresNewRowsSettingsSql("target-empty"), ["SET LOCAL work_mem = '128MB'"]);
  });
});

describe("targetStateSql", () => {
  it("reads whether the target is empty, and the target's and the stage's sizes in bytes", async () => {
    // Tables of their own, made in the transaction: the shared target keeps the pages of other
    // tests' rolled-back rows, so its size is not 0.
    const own = warehouseTables("public.table_sizes_probe");
    const db = await pgliteWithTables();
    await db.transaction(async (tx) => {
      await tx.exec(targetTableDdl("postgres", own));
      await tx.exec(stageTableDdl("postgres", own));
      await insertRows(tx, sqlTableName(own.stage), [["a", "1"]]);
      const read = async () => (await tx.query<{ target_empty: boolean; target_bytes: number; stage_bytes: number }>(targetStateSql(own))).rows[0]!;
      const empty = await read();
      assert.equal(empty.target_empty, true);
      assert.equal(Number(empty.target_bytes), 0);
      assert.ok(Number(empty.stage_bytes) >= 8192);
      await insertRows(tx, sqlTableName(own.target), [["a", "1", "run-0", new Date(), md5RowHashOf("a", "1")]]);
      const holding = await read();
      assert.equal(holding.target_empty, false);
      assert.ok(Number(holding.target_bytes) >= 8192);
      await tx.exec(`DELETE FROM ${sqlTableName(own.target)}`);
      assert.equal((await read()).target_empty, true, "rows deleted: empty again, though its pages remain");
      await tx.rollback();
    });
  });
});

describe("insertNewRowsSql", () => {
  let db: PGlite;
  before(async () => {
    db = await pgliteWithTables();
  });

  const hex = (alias: string) => `LEFT(MD5(CAST(LENGTH("${alias}"."key") AS VARCHAR(10)) || ':' || "${alias}"."key" || "${alias}"."data"), 15)`;
  const redshiftSql = [
    `INSERT INTO ${target} ("key", "data", "row_hash", "run_id", "loaded_at")`,
    `SELECT n."key", n."data", n."row_hash", 'run-1', GETDATE()`,
    "FROM (",
    `  SELECT s."key", s."data", STRTOL(${hex("s")}, 16) AS "row_hash"`,
    `  FROM ${stage} AS s`,
    ") AS n",
    `WHERE NOT EXISTS (SELECT 1 FROM ${target} AS t WHERE t."row_hash" = n."row_hash" AND t."key" = n."key" AND t."data" = n."data")`,
    `  AND NOT EXISTS (SELECT 1 FROM ${ledger} AS l WHERE l."input_fingerprint" = '${FP}' AND l."status" = 'loaded')`,
  ];

  it("reads in Redshift's dialect as an anti-join on the row hash, then key and data, under the ledger guard", () => {
    assert.equal(insertNewRowsSql("redshift", tables, "run-1", FP), redshiftSql.join("\n"));
  });

  it("has the same shape in Postgres's dialect, with its clock, and the new rows in row_hash order only when asked (to probe the index)", () => {
    const postgres = redshiftSql.map((line) => line.replace("GETDATE()", "now()").replace(`STRTOL(${hex("s")}, 16)`, `CAST(CAST('x' || ${hex("s")} AS BIT(60)) AS BIGINT)`));
    assert.equal(insertNewRowsSql("postgres", tables, "run-1", FP), postgres.join("\n"));
    postgres.splice(5, 0, `  ORDER BY "row_hash"`);
    assert.equal(insertNewRowsSql("postgres", tables, "run-1", FP, md5RowHash, "probe-index"), postgres.join("\n"));
  });

  it("into an empty target, keeps only the ledger guard: nothing to match", () => {
    const sql = insertNewRowsSql("postgres", tables, "run-1", FP, md5RowHash, "target-empty").split("\n");
    assert.deepEqual(sql.slice(-2), [") AS n", `WHERE NOT EXISTS (SELECT 1 FROM ${ledger} AS l WHERE l."input_fingerprint" = '${FP}' AND l."status" = 'loaded')`]);
    assert.ok(!sql.some((line) => line.includes(`FROM ${target} AS t`)));
  });

  it("into an empty target, inserts every staged row, unless the ledger holds a load of this input", async () => {
    await inRolledBackTransaction(db, async (tx) => {
      await insertRows(tx, stage, [["a", "1"], ["b", "2"]]);
      assert.equal((await tx.query(insertNewRowsSql("postgres", tables, "run-1", FP, md5RowHash, "target-empty"))).affectedRows, 2);
      const { rows } = await tx.query<{ key: string; row_hash: string }>(`SELECT key, row_hash::text FROM ${target} ORDER BY key`);
      assert.deepEqual(rows, [{ key: "a", row_hash: md5RowHashOf("a", "1") }, { key: "b", row_hash: md5RowHashOf("b", "2") }]);
      await tx.exec(`DELETE FROM ${target}`);
      await insertRows(tx, ledger, [ledgerRow("run-0", FP)]);
      assert.equal((await tx.query(insertNewRowsSql("postgres", tables, "run-1", FP, md5RowHash, "target-empty"))).affectedRows, 0);
    });
  });

  it("on Postgres, after its settings, probes the row_hash index in hash order rather than sorting or hashing the target", async () => {
    await inRolledBackTransaction(db, async (tx) => {
      await tx.exec(rowHashIndexDdl(tables.target));
      for (const sql of postgresNewRowsSettingsSql("probe-index")) await tx.exec(sql);
      const plan = (await tx.query<{ "QUERY PLAN": string }>(`EXPLAIN ${insertNewRowsSql("postgres", tables, "run-1", FP, md5RowHash, "probe-index")}`)).rows.map((r) => r["QUERY PLAN"]).join("\n");
      assert.match(plan, /Nested Loop Anti Join/);
      assert.match(plan, /Index Scan using cti_records_row_hash on cti_records t/);
      assert.match(plan, /Sort Key: .*"left"\(md5\(/);
      assert.doesNotMatch(plan, /Hash Join|Hash Anti|Merge/);
    });
  });

  it("hashes with the expression it is given", () => {
    assert.match(insertNewRowsSql("redshift", tables, "run-1", FP, (a) => `H(${a})`), /SELECT s\."key", s\."data", H\(s\) AS "row_hash"/);
  });

  it("inserts only the staged rows the target lacks (the stage is the run's distinct clean rows), stamped with the run id", async () => {
    await inRolledBackTransaction(db, async (tx) => {
      const old = new Date("2025-01-01T00:00:00Z");
      await insertRows(tx, target, [["a", "1", "run-0", old, md5RowHashOf("a", "1")], ["b", "2", "run-0", old, md5RowHashOf("b", "2")]]);
      await insertRows(tx, stage, [["a", "1"], ["b", "other"], ["c", "3"]]);
      const result = await tx.query(insertNewRowsSql("postgres", tables, "run-1", FP));
      assert.equal(result.affectedRows, 2);
      const { rows } = await tx.query<{ key: string; data: string; run_id: string; row_hash: string }>(`SELECT key, data, run_id, row_hash::text FROM ${target} ORDER BY key, data`);
      assert.deepEqual(rows, [
        { key: "a", data: "1", run_id: "run-0", row_hash: md5RowHashOf("a", "1") },
        { key: "b", data: "2", run_id: "run-0", row_hash: md5RowHashOf("b", "2") },
        { key: "b", data: "other", run_id: "run-1", row_hash: md5RowHashOf("b", "other") },
        { key: "c", data: "3", run_id: "run-1", row_hash: md5RowHashOf("c", "3") },
      ]);
    });
  });

  it("with distinct (a stage whose rows may repeat: the shards of a fanned-out run), inserts each row once, whatever the match", async () => {
    for (const match of ["anti-join", "probe-index", "target-empty"] as const) {
      await inRolledBackTransaction(db, async (tx) => {
        const old = new Date("2025-01-01T00:00:00Z");
        if (match !== "target-empty") await insertRows(tx, target, [["a", "1", "run-0", old, md5RowHashOf("a", "1")]]);
        if (match === "probe-index") await tx.exec(rowHashIndexDdl(tables.target));
        await insertRows(tx, stage, [["a", "1"], ["c", "3"], ["c", "3"], ["d", "4"], ["c", "3"]]);
        const sql = insertNewRowsSql("postgres", tables, "run-1", FP, md5RowHash, match, true);
        assert.match(sql, /FROM \(SELECT DISTINCT u\."key", u\."data" FROM "cti_etl_stage" AS u\) AS s/);
        const result = await tx.query(sql);
        const { rows } = await tx.query<{ key: string }>(`SELECT key FROM ${target} WHERE run_id = 'run-1' ORDER BY key`);
        assert.deepEqual(rows.map((r) => r.key), match === "target-empty" ? ["a", "c", "d"] : ["c", "d"], match);
        assert.equal(result.affectedRows, rows.length);
      });
    }
  });

  it("inserts rows whose hash collides with a present row's but whose key or data differ, and never an exact duplicate", async () => {
    const tiny = (alias: string) => `MOD(${md5RowHash(alias, "postgres")}, 16)`;
    const present = Array.from({ length: 40 }, (_, i) => [`k${i}`, `d${i}`] as const);
    await inRolledBackTransaction(db, async (tx) => {
      await insertRows(tx, stage, present);
      assert.equal((await tx.query(insertNewRowsSql("postgres", tables, "run-0", FP, tiny))).affectedRows, 40);
      await tx.exec(`DELETE FROM ${stage}`);
      // 40 rows in 16 hash values: every new row below shares its hash with present rows.
      const staged = [...present.slice(0, 20), ["k0", "other"], ["k1x", "d1"], ["k2", "d2 "]] as const;
      await insertRows(tx, stage, staged);
      assert.equal((await tx.query(insertNewRowsSql("postgres", tables, "run-1", "e".repeat(64), tiny))).affectedRows, 3);
      const { rows } = await tx.query<{ key: string; data: string; run_id: string; row_hash: unknown }>(`SELECT key, data, run_id, row_hash FROM ${target}`);
      assert.equal(rows.length, 43);
      assert.ok(new Set(rows.map((r) => String(r.row_hash))).size <= 16, "the tiny hash collides");
      for (const row of rows) assert.equal(String(row.row_hash), (BigInt(md5RowHashOf(row.key, row.data)) % 16n).toString());
      assert.deepEqual(
        rows.filter((r) => r.run_id === "run-1").map((r) => `${r.key}|${r.data}`).sort(),
        ["k0|other", "k1x|d1", "k2|d2 "],
      );
    });
  });

  it("inserts nothing once the ledger holds a committed load of this input", async () => {
    await inRolledBackTransaction(db, async (tx) => {
      await insertRows(tx, ledger, [ledgerRow("run-0", FP)]);
      await insertRows(tx, stage, [["a", "1"]]);
      assert.equal((await tx.query(insertNewRowsSql("postgres", tables, "run-1", FP))).affectedRows, 0);
    });
  });

  it("is not stopped by a ledger row of another input, or of this input with another status", async () => {
    await inRolledBackTransaction(db, async (tx) => {
      await insertRows(tx, ledger, [ledgerRow("run-0", "0".repeat(64)), ledgerRow("run-9", FP, "failed")]);
      await insertRows(tx, stage, [["a", "1"]]);
      assert.equal((await tx.query(insertNewRowsSql("postgres", tables, "run-1", FP))).affectedRows, 1);
    });
  });
});
