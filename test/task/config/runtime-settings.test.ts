import assert from "node:assert/strict";
import { settingsFromEnv } from "../../../task/src/config/runtime-settings.ts";

describe("settingsFromEnv", () => {
  it("takes the S3-specific endpoint over the global one, and AWS_REGION over AWS_DEFAULT_REGION", () => {
    const s = settingsFromEnv({ AWS_ENDPOINT_URL: "http://all", AWS_ENDPOINT_URL_S3: "http://s3", AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "us-east-1" });
    assert.deepEqual(s.s3, { region: "eu-west-1", endpoint: "http://s3" });
    assert.deepEqual(settingsFromEnv({ AWS_ENDPOINT_URL: "http://all", AWS_DEFAULT_REGION: "us-east-1" }).s3, { region: "us-east-1", endpoint: "http://all" });
  });

  it("ignores empty variables and sets nothing it was not given", () => {
    assert.deepEqual(settingsFromEnv({ AWS_ENDPOINT_URL_S3: "", CTI_INPUT: "", CTI_TABLE: "" }), { s3: {}, run: {}, warehouse: {} });
  });

  it("reads the task's CTI_* run defaults", () => {
    const env = { CTI_INPUT: "s3://b/in/", CTI_OUTPUT: "s3://b/out/", CTI_MAX_FIELD_BYTES: "10", CTI_WORKERS: "3", CTI_MEMORY_BUDGET_MIB: "256", CTI_SLICES: "4" };
    assert.deepEqual(settingsFromEnv(env).run, {
      input: "s3://b/in/",
      output: "s3://b/out/",
      maxFieldBytes: "10",
      workers: "3",
      memoryBudgetMiB: "256",
      slices: "4",
    });
  });

  it("reads the warehouse and deadline variables", () => {
    const s = settingsFromEnv({ CTI_REDSHIFT_WORKGROUP: "wg", CTI_REDSHIFT_DATABASE: "dev", CTI_REDSHIFT_COPY_ROLE_ARN: "arn:aws:iam::1:role/r", CTI_TABLE: "s.t", CTI_WAREHOUSE: "none", CTI_DEADLINE_SECONDS: "60" });
    assert.deepEqual(s.warehouse, { workgroup: "wg", database: "dev", copyRoleArn: "arn:aws:iam::1:role/r", table: "s.t", warehouse: "none" });
    assert.equal(s.deadlineSeconds, "60");
  });
});
