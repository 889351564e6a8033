import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { redshiftCopySql } from "../../../task/src/load/redshift-copy-sql.ts";
import { warehouseTables } from "../../../task/src/load/table-names.ts";
import { parseRedshiftCopy } from "../../support/redshift-data-emulator/translate.ts";

const stage = warehouseTables("public.cti_records").stage;
const source = { manifestUrl: "s3://cti-out/runs/r1/manifest.json", copyRoleArn: "arn:aws:iam::123456789012:role/cti-etl-copy" };

describe("redshiftCopySql", () => {
  it("copies the manifest's gzip CSV parts into the stage's key and data columns, strictly", () => {
    assert.equal(
      redshiftCopySql(stage, source),
      [
        'COPY "cti_etl_stage" ("key", "data")',
        "FROM 's3://cti-out/runs/r1/manifest.json'",
        "IAM_ROLE 'arn:aws:iam::123456789012:role/cti-etl-copy'",
        "FORMAT AS CSV",
        "GZIP",
        "MANIFEST",
        "IGNOREHEADER 1",
        "ENCODING UTF8",
        "MAXERROR 0",
        "COMPUPDATE OFF",
        "STATUPDATE OFF",
      ].join("\n"),
    );
  });

  it("says the parts' codec: GZIP, ZSTD, or no compression option for plain CSV", () => {
    const options = (compression?: "gzip" | "zstd" | "none") => redshiftCopySql(stage, { ...source, ...(compression ? { compression } : {}) }).split("\n").slice(3, 5);
    assert.deepEqual(options(), ["FORMAT AS CSV", "GZIP"]);
    assert.deepEqual(options("gzip"), ["FORMAT AS CSV", "GZIP"]);
    assert.deepEqual(options("zstd"), ["FORMAT AS CSV", "ZSTD"]);
    assert.deepEqual(options("none"), ["FORMAT AS CSV", "MANIFEST"]);
    const zstd = parseRedshiftCopy(redshiftCopySql(stage, { ...source, compression: "zstd" }))!;
    assert.deepEqual([zstd.zstd, zstd.gzip, zstd.manifest], [true, false, true]);
  });

  it("parses as a COPY that fails on bad data instead of bending it", () => {
    const copy = parseRedshiftCopy(redshiftCopySql(stage, source))!;
    assert.deepEqual(copy.columns, ["key", "data"]);
    assert.deepEqual(copy.from, { bucket: "cti-out", key: "runs/r1/manifest.json" });
    assert.equal(copy.manifest, true);
    assert.equal(copy.gzip, true);
    assert.equal(copy.ignoreHeader, 1);
    assert.equal(copy.acceptInvChars, undefined);
    assert.equal(copy.nullAs, undefined);
    for (const lenient of ["emptyAsNull", "blanksAsNull", "trimBlanks", "truncateColumns", "fillRecord", "ignoreBlankLines", "noLoad"] as const) {
      assert.equal(copy[lenient], false, lenient);
    }
  });

  it("quotes a manifest key holding a quote", () => {
    assert.match(redshiftCopySql(stage, { ...source, manifestUrl: "s3://cti-out/it's/manifest.json" }), /FROM 's3:\/\/cti-out\/it''s\/manifest.json'/);
  });

  it("refuses a manifest that is not in S3, and a role that is not an IAM role ARN, as USAGE", () => {
    const usage = (e: unknown) => e instanceof EtlError && e.code === "USAGE";
    assert.throws(() => redshiftCopySql(stage, { ...source, manifestUrl: "file:///tmp/manifest.json" }), usage);
    assert.throws(() => redshiftCopySql(stage, { ...source, copyRoleArn: "cti-etl-copy" }), usage);
    assert.throws(() => redshiftCopySql(stage, { ...source, copyRoleArn: "arn:aws:iam::123456789012:user/someone" }), usage);
    assert.doesNotThrow(() => redshiftCopySql(stage, { ...source, copyRoleArn: "arn:aws-cn:iam::123456789012:role/path/copy" }));
  });
});
