import assert from "node:assert/strict";
import { stageCopyFromBlobSql, stageInsertBatchSql } from "../../../task/src/load/postgres-stage-sql.ts";
import { warehouseTables } from "../../../task/src/load/table-names.ts";

const tables = warehouseTables("public.cti_records");

describe("stageCopyFromBlobSql", () => {
  it("COPYs CSV from PGlite's /dev/blob, requiring the key,data header", () => {
    assert.equal(stageCopyFromBlobSql(tables), `COPY "cti_etl_stage" ("key", "data") FROM '/dev/blob' WITH (FORMAT csv, HEADER MATCH)`);
  });
});

describe("stageInsertBatchSql", () => {
  it("inserts two parallel text arrays as rows", () => {
    assert.equal(stageInsertBatchSql(tables), `INSERT INTO "cti_etl_stage" ("key", "data") SELECT * FROM unnest($1::text[], $2::text[])`);
  });
});
