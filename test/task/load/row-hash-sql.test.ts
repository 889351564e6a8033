import assert from "node:assert/strict";
import type { PGlite } from "@electric-sql/pglite";
import {
  md5RowHash,
  md5RowHashOf,
  rowHashColumnLookupSql,
  rowHashIndexDdl,
  rowHashIndexLookupSql,
  rowHashIndexName,
  rowHashMigrationNeeded,
  rowHashMigrationSql,
} from "../../../task/src/load/row-hash-sql.ts";
import { MAX_IDENTIFIER_BYTES, parseTableName } from "../../../task/src/load/table-names.ts";
import { installRedshiftShims } from "../../support/redshift-data-emulator/redshift-shims.ts";
import { translateStatement } from "../../support/redshift-data-emulator/translate.ts";
import { sharedPglite } from "./support/shared-pglite.ts";
import { oldTargetDdl } from "./support/old-target.ts";

const table = parseTableName("public.hash_check");

/** Runs `work` on the shared PGlite in a transaction that is rolled back. */
async function rolledBack(work: (db: Pick<PGlite, "query" | "exec">) => Promise<void>): Promise<void> {
  const db = await sharedPglite();
  await db.transaction(async (tx) => {
    await work(tx);
    await tx.rollback();
  });
}

describe("md5RowHash", () => {
  const rows: Array<[string, string]> = [
    ["ab", "c"],
    ["a", "bc"],
    ["3:ab", "c"],
    ["", "x"],
    ["ü ✓ 😀", "multi\nline, \"quoted\" it's"],
    ["back\\slash", "10:"],
  ];

  it("is the first 15 hex digits of MD5 of the key's length in characters, a colon, the key and the data, as a BIGINT, in SQL as in JavaScript", async () => {
    await rolledBack(async (db) => {
      for (const [key, data] of rows) {
        const { rows: got } = await db.query<{ h: unknown }>(`SELECT ${md5RowHash("r", "postgres")} AS h FROM (SELECT $1::text AS key, $2::text AS data) AS r`, [key, data]);
        assert.equal(String(got[0]!.h), md5RowHashOf(key, data), JSON.stringify([key, data]));
      }
    });
  });

  it("tells apart rows whose key and data join to the same text", () => {
    assert.notEqual(md5RowHashOf("ab", "c"), md5RowHashOf("a", "bc"));
    assert.notEqual(md5RowHashOf("1:a", ""), md5RowHashOf("", "1:a"));
    assert.equal(new Set(rows.map(([k, d]) => md5RowHashOf(k, d))).size, rows.length);
  });

  it("is, in Redshift's dialect, SQL the Redshift emulator passes through unchanged (its STRTOL is a shim)", () => {
    const sql = `SELECT ${md5RowHash("t", "redshift")} FROM "t"`;
    assert.deepEqual(translateStatement(sql), { kind: "sql", sql });
  });
});

describe("rowHashIndexName", () => {
  it("is <table>_row_hash while that fits Postgres's 63 bytes", () => {
    assert.equal(rowHashIndexName(table), "hash_check_row_hash");
  });

  it("cuts a longer name and keeps two long names apart by a digest", () => {
    const a = rowHashIndexName(parseTableName(`${"a".repeat(55)}1`));
    const b = rowHashIndexName(parseTableName(`${"a".repeat(55)}2`));
    for (const name of [a, b]) {
      assert.ok(Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES, name);
      assert.match(name, /^a+_[0-9a-f]{8}_row_hash$/);
    }
    assert.notEqual(a, b);
  });
});

describe("rowHashColumnLookupSql", () => {
  it("finds row_hash in a current table and nothing in one made by the old DDL, qualified or not", async () => {
    await rolledBack(async (db) => {
      await db.exec(`CREATE TABLE public.hash_new (key TEXT, data TEXT, row_hash BIGINT); ${oldTargetDdl("public.hash_old")}`);
      for (const name of ["public.hash_new", "hash_new"]) {
        assert.equal((await db.query(rowHashColumnLookupSql("postgres", parseTableName(name)))).rows.length, 1, name);
      }
      for (const name of ["public.hash_old", "hash_old", "other.hash_new"]) {
        assert.equal((await db.query(rowHashColumnLookupSql("postgres", parseTableName(name)))).rows.length, 0, name);
      }
    });
  });
});

describe("rowHashMigrationSql", () => {
  it("gives a Postgres table made by the old DDL its filled, NOT NULL, indexed row_hash", async () => {
    await rolledBack(async (db) => {
      await db.exec(oldTargetDdl("public.hash_check"));
      await db.exec(`INSERT INTO public.hash_check VALUES ('a', '1', 'run-0', now()), ('ü', 'x,y', 'run-0', now())`);
      for (const sql of rowHashMigrationSql("postgres", table, md5RowHash)) await db.exec(sql);
      const { rows } = await db.query<{ key: string; data: string; row_hash: string }>("SELECT key, data, row_hash FROM public.hash_check ORDER BY key");
      assert.deepEqual(rows.map((r) => String(r.row_hash)), rows.map((r) => md5RowHashOf(r.key, r.data)));
      const index = await db.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename = 'hash_check'");
      assert.deepEqual(index.rows.map((r) => r.indexdef), ["CREATE INDEX hash_check_row_hash ON public.hash_check USING btree (row_hash)"]);
      // Last: the failed statement aborts the transaction.
      await assert.rejects(db.exec("INSERT INTO public.hash_check (key, data, run_id, loaded_at) VALUES ('b', '2', 'r', now())"), /null value in column "row_hash"/);
    });
  });

  it("for Redshift adds the column NOT NULL with a default, fills it, and makes it the distribution key", () => {
    assert.deepEqual(rowHashMigrationSql("redshift", table, (a) => `H(${a})`), [
      `ALTER TABLE "public"."hash_check" ADD COLUMN "row_hash" BIGINT DEFAULT 0 NOT NULL`,
      `UPDATE "public"."hash_check" AS t SET "row_hash" = H(t)`,
      `ALTER TABLE "public"."hash_check" ALTER DISTSTYLE KEY DISTKEY "row_hash"`,
    ]);
  });

  it("for Redshift is SQL the emulator runs on a table made by the old DDL, leaving it loadable", async () => {
    await rolledBack(async (db) => {
      await db.exec(oldTargetDdl("public.hash_check"));
      await db.exec(`INSERT INTO public.hash_check VALUES ('a', '1', 'run-0', now())`);
      await installRedshiftShims(db as PGlite);
      for (const sql of rowHashMigrationSql("redshift", table, md5RowHash)) {
        const translated = translateStatement(sql);
        if (translated.kind === "sql") await db.exec(translated.sql);
        else assert.equal(translated.kind, "no-op", sql);
      }
      const { rows } = await db.query<{ row_hash: string }>("SELECT row_hash::text FROM public.hash_check");
      assert.deepEqual(rows, [{ row_hash: md5RowHashOf("a", "1") }]);
    });
  });
});

describe("rowHashIndexDdl", () => {
  it("creates the index once: IF NOT EXISTS", async () => {
    await rolledBack(async (db) => {
      await db.exec("CREATE TABLE public.hash_check (key TEXT, data TEXT, row_hash BIGINT)");
      await db.exec(rowHashIndexDdl(table));
      await db.exec(rowHashIndexDdl(table));
      assert.equal((await db.query("SELECT 1 FROM pg_indexes WHERE indexname = 'hash_check_row_hash'")).rows.length, 1);
    });
  });
});

describe("rowHashIndexLookupSql", () => {
  it("is true once the index exists, for a qualified or an unqualified name", async () => {
    await rolledBack(async (db) => {
      await db.exec("CREATE TABLE public.hash_check (key TEXT, data TEXT, row_hash BIGINT)");
      const present = async (name: string) => (await db.query<{ present: boolean }>(rowHashIndexLookupSql(parseTableName(name)))).rows[0]!.present;
      assert.deepEqual([await present("public.hash_check"), await present("hash_check")], [false, false]);
      await db.exec(rowHashIndexDdl(table));
      assert.deepEqual([await present("public.hash_check"), await present("hash_check"), await present("other.hash_check")], [true, true, false]);
    });
  });
});

describe("rowHashMigrationNeeded", () => {
  it("says nothing was loaded and lists, in order, each statement to run", () => {
    const error = rowHashMigrationNeeded(table);
    assert.equal(error.code, "LOAD_FAILED");
    assert.match(error.message, /"public"\."hash_check" has no row_hash column .* Nothing was loaded\./);
    const listed = error.message.split("\n").filter((line) => line.startsWith("  ")).map((line) => line.trim());
    assert.deepEqual(listed, rowHashMigrationSql("redshift", table, md5RowHash).map((sql) => `${sql};`));
  });
});
