import assert from "node:assert/strict";
import fc from "fast-check";
import { SqlLexError, tokenizeSql } from "./sql-tokens.ts";
import {
  bindNamedParameters,
  CopyCommandError,
  dropRedshiftTableAttributes,
  expandVarcharMax,
  noOpReason,
  parseRedshiftCopy,
  parseS3Url,
  quoteIdentifier,
  quoteLiteral,
  translateStatement,
  type RedshiftCopy,
} from "./translate.ts";

/** Normalises whitespace, to compare SQL without caring about the spaces cuts leave. */
const squash = (sql: string) => sql.replace(/\s+/g, " ").trim();

function copyError(sql: string): CopyCommandError {
  try {
    parseRedshiftCopy(sql);
  } catch (error) {
    if (error instanceof CopyCommandError) return error;
    throw error;
  }
  assert.fail(`expected ${sql} to be refused`);
}

describe("tokenizeSql", () => {
  it("covers the input exactly, token after token, or reports an unterminated quote", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", "1", " ", "'", '"', "-", "/", "*", "$", ":", "(", ",", "\n", "é") }), (sql) => {
        let tokens;
        try {
          tokens = tokenizeSql(sql);
        } catch (error) {
          assert.ok(error instanceof SqlLexError);
          return;
        }
        assert.equal(tokens.map((t) => t.text).join(""), sql);
        tokens.forEach((t, i) => assert.equal(t.start, i === 0 ? 0 : tokens[i - 1]!.end));
      }),
    );
  });

  it("keeps a :: cast as one token, distinct from a :name placeholder", () => {
    const texts = tokenizeSql("a::int = :b").map((t) => t.text);
    assert.deepEqual(texts, ["a", "::", "int", " ", "=", " ", ":", "b"]);
  });

  it("reads strings, quoted identifiers, dollar quotes and comments as single tokens", () => {
    const kinds = tokenizeSql(`'it''s' "Col ""x""" $q$ :no $q$ -- c\n/* a /* nested */ b */`)
      .filter((t) => t.kind !== "space")
      .map((t) => t.kind);
    assert.deepEqual(kinds, ["string", "quoted-identifier", "string", "comment", "comment"]);
  });
});

describe("quoteLiteral and quoteIdentifier", () => {
  it("doubles the quote character and nothing else", () => {
    assert.equal(quoteLiteral(`it's a \\ "x"`), `'it''s a \\ "x"'`);
    assert.equal(quoteIdentifier(`a"b`), `"a""b"`);
  });

  it("makes any value lex back as exactly one string token", () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const tokens = tokenizeSql(quoteLiteral(value));
        assert.equal(tokens.length, 1);
        assert.equal(tokens[0]!.kind, "string");
      }),
    );
  });
});

describe("bindNamedParameters", () => {
  it("replaces each :name with its value as a quoted literal", () => {
    const bound = bindNamedParameters("select * from t where a = :a and b = :b_2", [
      { name: "a", value: "1" },
      { name: "b_2", value: "O'Brien" },
    ]);
    assert.equal(bound.sql, "select * from t where a = '1' and b = 'O''Brien'");
    assert.deepEqual(bound.unused, []);
  });

  it("leaves placeholders in strings, quoted identifiers, comments and :: casts alone", () => {
    const sql = `select ':a', ":a", x::a -- :a\n /* :a */ from t`;
    const bound = bindNamedParameters(sql, [{ name: "a", value: "v" }]);
    assert.equal(bound.sql, sql);
    assert.deepEqual(bound.unused, ["a"]);
  });

  it("reports parameters the SQL never references", () => {
    assert.deepEqual(bindNamedParameters("select :a", [{ name: "a", value: "1" }, { name: "z", value: "2" }]).unused, ["z"]);
  });

  it("leaves a placeholder that has no parameter, for Postgres to reject as Redshift would", () => {
    assert.equal(bindNamedParameters("select :a, :b", [{ name: "a", value: "1" }]).sql, "select '1', :b");
  });

  it("changes nothing when there are no parameters", () => {
    fc.assert(fc.property(fc.string(), (sql) => assert.equal(bindNamedParameters(sql, []).sql, sql)));
  });
});

describe("dropRedshiftTableAttributes", () => {
  it("drops DISTSTYLE, DISTKEY, COMPOUND SORTKEY and BACKUP after the column list", () => {
    const sql = `CREATE TABLE public.cti_records (
      key varchar(256) NOT NULL,
      seen_at timestamp,
      PRIMARY KEY (key)
    ) BACKUP NO DISTSTYLE KEY DISTKEY (key) COMPOUND SORTKEY (key, seen_at);`;
    assert.equal(
      squash(dropRedshiftTableAttributes(sql)),
      "CREATE TABLE public.cti_records ( key varchar(256) NOT NULL, seen_at timestamp, PRIMARY KEY (key) );",
    );
  });

  it("drops ENCODE, DISTKEY, SORTKEY and CI/CS collations on columns", () => {
    const sql = "create temp table s (a int encode az64 distkey, b varchar(10) encode zstd sortkey collate case_insensitive, c int default 1)";
    assert.equal(squash(dropRedshiftTableAttributes(sql)), "create temp table s (a int, b varchar(10), c int default 1)");
  });

  it("keeps columns named like the attributes", () => {
    const sql = "create table t (sortkey int encode az64, encode varchar(4), distkey int distkey)";
    assert.equal(squash(dropRedshiftTableAttributes(sql)), "create table t (sortkey int, encode varchar(4), distkey int)");
  });

  it("drops INTERLEAVED SORTKEY, SORTKEY AUTO and ENCODE AUTO", () => {
    assert.equal(squash(dropRedshiftTableAttributes("create table t (a int) interleaved sortkey (a)")), "create table t (a int)");
    assert.equal(squash(dropRedshiftTableAttributes("create table t (a int) diststyle auto sortkey auto encode auto")), "create table t (a int)");
  });

  it("drops the attributes of a CREATE TABLE AS but not the query's text", () => {
    const sql = "create table t backup no diststyle even sortkey (a) as select 'distkey (a)' as a, sortkey from u";
    assert.equal(squash(dropRedshiftTableAttributes(sql)), "create table t as select 'distkey (a)' as a, sortkey from u");
  });

  it("leaves statements other than CREATE TABLE unchanged", () => {
    const sql = "select distkey, sortkey from t";
    assert.equal(dropRedshiftTableAttributes(sql), sql);
  });

  it("leaves a Postgres CREATE TABLE unchanged", () => {
    const sql = "CREATE TABLE IF NOT EXISTS t (a int PRIMARY KEY, b text DEFAULT 'x' NOT NULL, LIKE u INCLUDING DEFAULTS)";
    assert.equal(dropRedshiftTableAttributes(sql), sql);
  });
});

describe("expandVarcharMax", () => {
  it("gives VARCHAR(MAX) Redshift's maximum length of 65535", () => {
    assert.equal(expandVarcharMax("create table t (a VARCHAR(MAX), b character varying ( max ))"), "create table t (a VARCHAR(65535), b character varying ( 65535 ))");
  });

  it("leaves a column or string named max alone", () => {
    const sql = "select max(a), 'varchar(max)' from t";
    assert.equal(expandVarcharMax(sql), sql);
  });
});

describe("noOpReason", () => {
  it("makes VACUUM and physical-layout ALTER TABLEs no-ops", () => {
    for (const sql of ["VACUUM", "vacuum delete only t to 100 percent", "alter table t alter diststyle even", "alter table t alter compound sortkey (a)", "ALTER TABLE t ALTER ENCODE AUTO"]) {
      assert.ok(noOpReason(sql), sql);
    }
  });

  it("runs every other statement", () => {
    for (const sql of ["alter table t add column a int", "select 1", "analyze t"]) assert.equal(noOpReason(sql), undefined, sql);
  });
});

describe("parseS3Url", () => {
  it("splits bucket and key, the key possibly empty", () => {
    assert.deepEqual(parseS3Url("s3://b/runs/1/manifest.json"), { bucket: "b", key: "runs/1/manifest.json" });
    assert.deepEqual(parseS3Url("s3://b"), { bucket: "b", key: "" });
    assert.equal(parseS3Url("https://b.s3.amazonaws.com/k"), undefined);
  });
});

describe("parseRedshiftCopy", () => {
  it("is undefined for a statement that is not a COPY", () => {
    assert.equal(parseRedshiftCopy("select 'copy'"), undefined);
  });

  it("parses the load the product issues: manifest, gzip CSV, header, strictness options", () => {
    const copy = parseRedshiftCopy(`COPY public.cti_records (key, "Seen At")
      FROM 's3://out/runs/r1/manifest.json'
      IAM_ROLE 'arn:aws:iam::123456789012:role/copy'
      FORMAT AS CSV QUOTE AS '"' DELIMITER ',' GZIP IGNOREHEADER 1 MANIFEST
      EMPTYASNULL BLANKSASNULL TRIMBLANKS TRUNCATECOLUMNS FILLRECORD IGNOREBLANKLINES NULL AS '\\N'
      ACCEPTINVCHARS AS '^' MAXERROR 0 TIMEFORMAT 'auto' DATEFORMAT AS 'YYYY-MM-DD'
      COMPUPDATE OFF STATUPDATE OFF REGION 'eu-west-1' ACCEPTANYDATE;`);
    assert.deepEqual(copy, {
      table: "public.cti_records",
      columns: ["key", "Seen At"],
      from: { bucket: "out", key: "runs/r1/manifest.json" },
      iamRole: "arn:aws:iam::123456789012:role/copy",
      manifest: true,
      gzip: true,
      zstd: false,
      delimiter: ",",
      quote: '"',
      ignoreHeader: 1,
      emptyAsNull: true,
      blanksAsNull: true,
      trimBlanks: true,
      truncateColumns: true,
      fillRecord: true,
      ignoreBlankLines: true,
      acceptInvChars: "^",
      nullAs: "\\N",
      noLoad: false,
      ignoredOptions: ["TIMEFORMAT", "DATEFORMAT", "COMPUPDATE", "STATUPDATE", "REGION", "ACCEPTANYDATE"],
    } satisfies RedshiftCopy);
  });

  it("defaults to a comma-delimited, double-quoted CSV of every column", () => {
    const copy = parseRedshiftCopy(`copy "Stage" from 's3://b/p/' credentials 'aws_iam_role=arn:aws:iam::1:role/r' csv`);
    assert.equal(copy?.table, '"Stage"');
    assert.equal(copy?.columns, undefined);
    assert.equal(copy?.delimiter, ",");
    assert.equal(copy?.quote, '"');
    assert.equal(copy?.manifest, false);
    assert.equal(copy?.iamRole, undefined);
  });

  it("accepts IAM_ROLE default, a tab delimiter and ACCEPTINVCHARS without a character", () => {
    const copy = parseRedshiftCopy(`copy t from 's3://b/k' iam_role default csv delimiter '\\t' acceptinvchars noload`);
    assert.equal(copy?.iamRole, "default");
    assert.equal(copy?.delimiter, "\t");
    assert.equal(copy?.acceptInvChars, "?");
    assert.equal(copy?.noLoad, true);
  });

  it("refuses an option Redshift does not have", () => {
    const error = copyError("copy t from 's3://b/k' iam_role default csv strict");
    assert.equal(error.code, "COPY_UNKNOWN_OPTION");
    assert.match(error.message, /unknown COPY option strict/);
  });

  it("refuses formats, compressions and sources it does not emulate, saying why", () => {
    assert.match(copyError("copy t from 's3://b/k' iam_role default format as json 'auto'").message, /FORMAT JSON is not emulated/);
    assert.match(copyError("copy t from 's3://b/k' iam_role default csv bzip2").message, /BZIP2 is not emulated/);
    assert.match(copyError("copy t from 'dynamodb://t' iam_role default csv").message, /only 's3:\/\/bucket\/key' sources/);
    assert.equal(copyError("copy t from 's3://b/k' iam_role default csv lzop").code, "COPY_NOT_EMULATED");
  });

  it("parses ZSTD, and refuses it with GZIP", () => {
    const copy = parseRedshiftCopy("copy t from 's3://b/m.json' iam_role default format as csv zstd manifest");
    assert.deepEqual([copy?.zstd, copy?.gzip], [true, false]);
    assert.match(copyError("copy t from 's3://b/k' iam_role default csv gzip zstd").message, /conflicting file compression options/);
  });

  it("refuses MAXERROR above 0, which would skip bad rows", () => {
    assert.match(copyError("copy t from 's3://b/k' iam_role default csv maxerror as 10").message, /MAXERROR 10 is not emulated/);
  });

  it("refuses the pipe-delimited text format (no CSV)", () => {
    assert.match(copyError("copy t from 's3://b/k' iam_role default delimiter '|'").message, /without CSV/);
  });

  it("refuses a COPY without authorization, as Redshift does", () => {
    assert.match(copyError("copy t from 's3://b/k' csv").message, /needs IAM_ROLE/);
  });

  it("reports a malformed option argument", () => {
    assert.match(copyError("copy t from 's3://b/k' iam_role default csv ignoreheader one").message, /IGNOREHEADER expects a whole number/);
    assert.match(copyError("copy t from 's3://b/k' iam_role default csv delimiter ',,'").message, /single character/);
  });
});

describe("translateStatement", () => {
  it("plans a COPY, skips a VACUUM and cleans a CREATE TABLE", () => {
    assert.equal(translateStatement("copy t from 's3://b/k' iam_role default csv").kind, "copy");
    assert.equal(translateStatement("vacuum t").kind, "no-op");
    assert.deepEqual(translateStatement("create table t (a varchar(max) encode zstd) diststyle all"), {
      kind: "sql",
      sql: "create table t (a varchar(65535))",
    });
  });

  it("passes other SQL through byte for byte", () => {
    const sql = "MERGE INTO t USING s ON t.k = s.k WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT VALUES (s.k, s.v)";
    assert.deepEqual(translateStatement(sql), { kind: "sql", sql });
  });
});
