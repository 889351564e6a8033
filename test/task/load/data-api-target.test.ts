import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { configuredBackoff, dataApiTarget } from "../../../task/src/load/data-api-target.ts";

const base = { database: "dev", copyRoleArn: "arn:aws:iam::123456789012:role/copy" };
const usage = (e: unknown) => e instanceof EtlError && e.code === "USAGE";

describe("dataApiTarget", () => {
  it("names a Serverless workgroup, authenticating as the IAM identity", () => {
    assert.deepEqual(dataApiTarget({ ...base, workgroupName: "cti" }), { WorkgroupName: "cti", Database: "dev" });
  });

  it("names a Serverless workgroup with a secret", () => {
    assert.deepEqual(dataApiTarget({ ...base, workgroupName: "cti", secretArn: "arn:s" }), { WorkgroupName: "cti", SecretArn: "arn:s", Database: "dev" });
  });

  it("names a cluster with a database user, a secret, or the IAM identity", () => {
    assert.deepEqual(dataApiTarget({ ...base, clusterIdentifier: "c", dbUser: "etl" }), { ClusterIdentifier: "c", DbUser: "etl", Database: "dev" });
    assert.deepEqual(dataApiTarget({ ...base, clusterIdentifier: "c", secretArn: "arn:s" }), { ClusterIdentifier: "c", SecretArn: "arn:s", Database: "dev" });
    assert.deepEqual(dataApiTarget({ ...base, clusterIdentifier: "c" }), { ClusterIdentifier: "c", Database: "dev" });
  });

  it("refuses neither or both targets, a DbUser on Serverless, a DbUser with a secret, and no database", () => {
    assert.throws(() => dataApiTarget({ ...base }), usage);
    assert.throws(() => dataApiTarget({ ...base, workgroupName: "w", clusterIdentifier: "c" }), usage);
    assert.throws(() => dataApiTarget({ ...base, workgroupName: "w", dbUser: "u" }), usage);
    assert.throws(() => dataApiTarget({ ...base, clusterIdentifier: "c", dbUser: "u", secretArn: "s" }), usage);
    assert.throws(() => dataApiTarget({ ...base, database: "", workgroupName: "w" }), usage);
  });
});

describe("configuredBackoff", () => {
  const defaults = { initialMs: 200, maxMs: 5000 };
  it("takes the config's values over the defaults", () => {
    assert.deepEqual(configuredBackoff({ ...base, pollInitialMs: 10, pollMaxMs: 100 }, defaults), { initialMs: 10, maxMs: 100 });
    assert.deepEqual(configuredBackoff(base, defaults), defaults);
  });

  it("raises the default cap to a larger configured start", () => {
    assert.deepEqual(configuredBackoff({ ...base, pollInitialMs: 8000 }, defaults), { initialMs: 8000, maxMs: 8000 });
  });
});
