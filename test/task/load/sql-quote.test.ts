import assert from "node:assert/strict";
import fc from "fast-check";
import type { PGlite } from "@electric-sql/pglite";
import { sharedPglite } from "./support/shared-pglite.ts";
import { quoteIdentifier, quoteLiteral, quoteQualifiedName, sqlInteger } from "../../../task/src/load/sql-quote.ts";

describe("quoteIdentifier", () => {
  it("always double-quotes, so reserved words like key are taken literally", () => {
    assert.equal(quoteIdentifier("key"), '"key"');
  });

  it("doubles an embedded double quote", () => {
    assert.equal(quoteIdentifier('we"ird'), '"we""ird"');
  });

  it("rejects an empty name and NUL", () => {
    assert.throws(() => quoteIdentifier(""), /not a valid SQL identifier/);
    assert.throws(() => quoteIdentifier("a\0b"), /not a valid SQL identifier/);
  });
});

describe("quoteQualifiedName", () => {
  it("quotes each part and joins them with a dot", () => {
    assert.equal(quoteQualifiedName(["public", "cti_records"]), '"public"."cti_records"');
    assert.equal(quoteQualifiedName(["a.b"]), '"a.b"');
  });
});

describe("quoteLiteral", () => {
  it("doubles single quotes in both dialects", () => {
    assert.equal(quoteLiteral("redshift", "it's"), "'it''s'");
    assert.equal(quoteLiteral("postgres", "it's"), "'it''s'");
  });

  it("doubles backslashes for Redshift, which reads them as escapes", () => {
    assert.equal(quoteLiteral("redshift", "a\\b'c"), "'a\\\\b''c'");
  });

  it("writes a Postgres escape string E'…' when the value holds a backslash", () => {
    assert.equal(quoteLiteral("postgres", "a\\b'c"), "E'a\\\\b''c'");
    assert.equal(quoteLiteral("postgres", "plain"), "'plain'");
  });

  it("rejects NUL", () => {
    assert.throws(() => quoteLiteral("postgres", "a\0"), /cannot hold NUL/);
  });

  describe("round trip through Postgres", () => {
    let db: PGlite;
    before(async () => {
      db = await sharedPglite();
    });

    it("reads back exactly the value quoted, for any string without NUL", async () => {
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: "binary" }).filter((s) => !s.includes("\0")), async (value) => {
          const { rows } = await db.query<{ v: string }>(`SELECT ${quoteLiteral("postgres", value)} AS v`);
          assert.equal(rows[0]!.v, value);
        }),
        { numRuns: 150 },
      );
    });

    it("reads a Redshift literal back exactly where backslashes are escapes, as in Redshift", async () => {
      await db.exec("SET standard_conforming_strings = off; SET escape_string_warning = off");
      try {
        await fc.assert(
          fc.asyncProperty(fc.string({ unit: "binary" }).filter((s) => !s.includes("\0")), async (value) => {
            const { rows } = await db.query<{ v: string }>(`SELECT ${quoteLiteral("redshift", value)} AS v`);
            assert.equal(rows[0]!.v, value);
          }),
          { numRuns: 150 },
        );
      } finally {
        await db.exec("RESET standard_conforming_strings; RESET escape_string_warning");
      }
    });

    it("means the same with standard_conforming_strings off", async () => {
      await db.exec("SET standard_conforming_strings = off");
      try {
        const value = "C:\\temp\\it's";
        const { rows } = await db.query<{ v: string }>(`SELECT ${quoteLiteral("postgres", value)} AS v`);
        assert.equal(rows[0]!.v, value);
      } finally {
        await db.exec("RESET standard_conforming_strings");
      }
    });
  });
});

describe("sqlInteger", () => {
  it("writes safe integers and rejects anything else", () => {
    assert.equal(sqlInteger(0), "0");
    assert.equal(sqlInteger(1_000_000), "1000000");
    assert.equal(sqlInteger(-3), "-3");
    for (const bad of [1.5, Number.NaN, Infinity, 2 ** 60]) assert.throws(() => sqlInteger(bad), /not a whole number/);
  });
});
