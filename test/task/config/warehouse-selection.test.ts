import assert from "node:assert/strict";
import { DEFAULT_EMBEDDED_WAREHOUSE, redactUrl, selectWarehouse } from "../../../task/src/config/warehouse-selection.ts";
import { EtlError } from "../../../task/src/errors.ts";

describe("selectWarehouse", () => {
  it("defaults to the embedded PGlite folder and public.cti_records", () => {
    assert.deepEqual(selectWarehouse({}), { config: { kind: "postgres", dataDir: DEFAULT_EMBEDDED_WAREHOUSE }, table: "public.cti_records", describe: `embedded PGlite in ${DEFAULT_EMBEDDED_WAREHOUSE}` });
  });

  it("picks Redshift when a workgroup or cluster is configured", () => {
    const choice = selectWarehouse({ workgroup: "wg", database: "dev", copyRoleArn: "arn:aws:iam::123456789012:role/c", table: "s.t" });
    assert.deepEqual(choice?.config, { kind: "redshift", workgroupName: "wg", database: "dev", copyRoleArn: "arn:aws:iam::123456789012:role/c" });
    assert.equal(choice?.table, "s.t");
    const cluster = selectWarehouse({ cluster: "c1", dbUser: "etl", database: "dev", copyRoleArn: "arn:aws:iam::123456789012:role/c" });
    assert.deepEqual(cluster?.config, { kind: "redshift", clusterIdentifier: "c1", dbUser: "etl", database: "dev", copyRoleArn: "arn:aws:iam::123456789012:role/c" });
  });

  it("refuses an incomplete Redshift configuration, naming what is missing", () => {
    assert.throws(() => selectWarehouse({ workgroup: "wg" }), (e: unknown) => e instanceof EtlError && e.code === "USAGE" && /CTI_REDSHIFT_DATABASE and CTI_REDSHIFT_COPY_ROLE_ARN are not set/.test(e.message));
  });

  it("lets --warehouse win, understands postgres:// URLs and none", () => {
    assert.equal(selectWarehouse({ workgroup: "wg" }, { warehouse: "none" }), undefined);
    assert.deepEqual(selectWarehouse({ warehouse: "/tmp/wh" }, { warehouse: "postgres://u:pw@db:5432/cti" })?.config, { kind: "postgres", url: "postgres://u:pw@db:5432/cti" });
    assert.deepEqual(selectWarehouse({ warehouse: "/tmp/wh" })?.config, { kind: "postgres", dataDir: "/tmp/wh" });
  });

  it("never prints a password", () => {
    assert.equal(selectWarehouse({}, { warehouse: "postgres://u:secret@db/cti" })?.describe, "Postgres postgres://u:***@db/cti");
    assert.equal(redactUrl("not a url"), "<unparseable URL>");
  });
});
