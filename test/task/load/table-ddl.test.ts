import assert from "node:assert/strict";
import type { PGlite } from "@electric-sql/pglite";
import {
  advisoryLockKey,
  createSchemaDdl,
  ledgerTableDdl,
  schemaLookupSql,
  schemaToEnsure,
  setupLockSql,
  stageTableDdl,
  targetTableDdl,
} from "../../../task/src/load/table-ddl.ts";
import { warehouseTables } from "../../../task/src/load/table-names.ts";
import { sharedPglite } from "./support/shared-pglite.ts";
import { translateStatement } from "../../support/redshift-data-emulator/translate.ts";

const tables = warehouseTables("public.cti_records");

describe("targetTableDdl", () => {
  it("creates the Redshift target if missing: VARCHAR(65535) rows and their hash, distributed on the hash, sorted on load time", () => {
    assert.equal(
      targetTableDdl("redshift", tables),
      [
        'CREATE TABLE IF NOT EXISTS "public"."cti_records" (',
        '  "key" VARCHAR(65535) NOT NULL,',
        '  "data" VARCHAR(65535) NOT NULL,',
        '  "run_id" VARCHAR(128) NOT NULL,',
        '  "loaded_at" TIMESTAMP NOT NULL,',
        '  "row_hash" BIGINT NOT NULL',
        ")",
        'DISTSTYLE KEY DISTKEY ("row_hash")',
        'SORTKEY ("loaded_at")',
      ].join("\n"),
    );
  });

  it("creates the Postgres target with TEXT and TIMESTAMPTZ and no Redshift attributes", () => {
    const sql = targetTableDdl("postgres", tables);
    assert.match(sql, /"key" TEXT NOT NULL/);
    assert.match(sql, /"loaded_at" TIMESTAMPTZ NOT NULL,\n {2}"row_hash" BIGINT NOT NULL\n\)$/);
    assert.doesNotMatch(sql, /DIST|SORTKEY/);
  });
});

describe("ledgerTableDdl", () => {
  it("keys the ledger by run id and holds the fingerprint, inputs, counts, status and times", () => {
    for (const dialect of ["redshift", "postgres"] as const) {
      const sql = ledgerTableDdl(dialect, tables);
      assert.match(sql, /^CREATE TABLE IF NOT EXISTS "public"\."cti_records_ledger" \(/);
      assert.match(sql, /"run_id" VARCHAR\(128\) NOT NULL PRIMARY KEY/);
      assert.match(sql, /"input_fingerprint" CHAR\(64\) NOT NULL/);
      for (const count of ["rows_read", "clean", "duplicates", "rejected", "loaded", "already_present"]) {
        assert.match(sql, new RegExp(`"${count}" BIGINT NOT NULL`));
      }
      assert.match(sql, /"status" VARCHAR\(16\) NOT NULL/);
      assert.match(sql, /"started_at" TIMESTAMP(TZ)? NOT NULL,\n {2}"finished_at" TIMESTAMP(TZ)? NOT NULL/);
    }
    assert.match(ledgerTableDdl("redshift", tables), /\)\nDISTSTYLE ALL$/);
  });
});

describe("stageTableDdl", () => {
  it("makes a temporary stage: Redshift distributed like the target, Postgres dropped at commit", () => {
    assert.equal(
      stageTableDdl("redshift", tables),
      'CREATE TEMP TABLE "cti_etl_stage" ("key" VARCHAR(65535) NOT NULL, "data" VARCHAR(65535) NOT NULL) DISTSTYLE KEY DISTKEY ("key")',
    );
    assert.equal(stageTableDdl("postgres", tables), 'CREATE TEMP TABLE "cti_etl_stage" ("key" TEXT NOT NULL, "data" TEXT NOT NULL) ON COMMIT DROP');
  });
});

describe("schemaToEnsure", () => {
  it("is the target's schema when it is not public", () => {
    assert.equal(schemaToEnsure(warehouseTables("analytics.cti_records")), "analytics");
  });

  it("is nothing for public, which every database has, or an unqualified name (search_path decides)", () => {
    assert.equal(schemaToEnsure(warehouseTables("public.cti_records")), undefined);
    assert.equal(schemaToEnsure(warehouseTables("cti_records")), undefined);
  });
});

describe("schemaLookupSql and createSchemaDdl", () => {
  it("looks the schema up in the catalog by a quoted literal, and creates it by a quoted identifier", () => {
    for (const dialect of ["redshift", "postgres"] as const) {
      assert.equal(schemaLookupSql(dialect, "analytics"), `SELECT "nspname" FROM "pg_catalog"."pg_namespace" WHERE "nspname" = 'analytics'`);
      assert.match(schemaLookupSql(dialect, "it's"), /= 'it''s'$/);
    }
    assert.equal(createSchemaDdl("analytics"), 'CREATE SCHEMA IF NOT EXISTS "analytics"');
    assert.equal(createSchemaDdl('we"ird'), 'CREATE SCHEMA IF NOT EXISTS "we""ird"');
  });

  it("finds a schema only once it is created, on Postgres", async () => {
    const db = await sharedPglite();
    await db.transaction(async (tx) => {
      assert.equal((await tx.query(schemaLookupSql("postgres", "ddl_schema_check"))).rows.length, 0);
      await tx.exec(createSchemaDdl("ddl_schema_check"));
      await tx.exec(createSchemaDdl("ddl_schema_check"));
      assert.equal((await tx.query(schemaLookupSql("postgres", "ddl_schema_check"))).rows.length, 1);
      await tx.rollback();
    });
  });

  it("runs unchanged through the Redshift emulator's translation", () => {
    for (const sql of [schemaLookupSql("redshift", "analytics"), createSchemaDdl("analytics")]) {
      assert.deepEqual(translateStatement(sql), { kind: "sql", sql });
    }
  });
});

describe("setupLockSql", () => {
  it("takes a transaction advisory lock keyed by the target's name", () => {
    assert.match(setupLockSql(tables), /^SELECT pg_advisory_xact_lock\(-?\d+\)$/);
    assert.equal(setupLockSql(tables), setupLockSql(warehouseTables("public.cti_records")));
    assert.notEqual(setupLockSql(tables), setupLockSql(warehouseTables("public.other")));
  });

  it("derives a signed 64-bit key", () => {
    for (const text of ["a", "b", "cti-etl/setup/x"]) {
      const key = BigInt(advisoryLockKey(text));
      assert.ok(key >= -(2n ** 63n) && key < 2n ** 63n);
    }
  });
});

describe("DDL on Postgres", () => {
  let db: PGlite;
  before(async () => {
    db = await sharedPglite();
  });
  const ddlTables = warehouseTables("public.ddl_check");

  it("runs, and runs again without error (IF NOT EXISTS)", async () => {
    await db.transaction(async (tx) => {
      for (let i = 0; i < 2; i++) {
        await tx.exec(targetTableDdl("postgres", ddlTables));
        await tx.exec(ledgerTableDdl("postgres", ddlTables));
      }
      const { rows } = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'ddl_check%'");
      assert.equal(rows[0]!.n, 2);
      await tx.rollback();
    });
  });

  it("runs the setup lock", async () => {
    await db.transaction(async (tx) => {
      await tx.query(setupLockSql(tables));
      await tx.rollback();
    });
  });

  it("runs the Redshift DDL once its Redshift-only attributes are dropped (as the emulator does)", async () => {
    await db.transaction(async (tx) => {
      for (const sql of [targetTableDdl("redshift", ddlTables), ledgerTableDdl("redshift", ddlTables)]) {
        const translated = translateStatement(sql);
        assert.equal(translated.kind, "sql");
        await tx.exec((translated as { sql: string }).sql);
      }
      await tx.rollback();
    });
  });
});
