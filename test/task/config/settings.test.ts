import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { parseSettings } from "../../../task/src/config/settings.ts";

const usage = (argv: string[], env: Record<string, string>, pattern: RegExp) =>
  assert.throws(() => parseSettings(argv, env), (e: unknown) => e instanceof EtlError && e.code === "USAGE" && pattern.test(e.message));

describe("parseSettings", () => {
  it("takes the S3-specific endpoint over the global one, and AWS_REGION over AWS_DEFAULT_REGION", () => {
    const s = parseSettings(["--help"], { AWS_ENDPOINT_URL: "http://all", AWS_ENDPOINT_URL_S3: "http://s3", AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "us-east-1" });
    assert.deepEqual(s.s3, { region: "eu-west-1", endpoint: "http://s3" });
    assert.deepEqual(parseSettings(["--help"], { AWS_ENDPOINT_URL: "http://all", AWS_DEFAULT_REGION: "us-east-1" }).s3, { region: "us-east-1", endpoint: "http://all" });
  });

  it("ignores empty variables and sets nothing it was not given", () => {
    const s = parseSettings(["--help"], { AWS_ENDPOINT_URL_S3: "", CTI_INPUT: "", CTI_TABLE: " " });
    assert.deepEqual([s.command, s.s3, s.warehouse, s.deadlineSeconds, s.leaseTtlMs], [{ command: "help", topic: "main" }, {}, {}, undefined, 300_000]);
  });

  it("reads the task's CTI_* run defaults, as numbers, into the run command", () => {
    const env = { CTI_INPUT: "s3://b/in/", CTI_OUTPUT: "s3://b/out/", CTI_MAX_FIELD_BYTES: "10", CTI_WORKERS: "3", CTI_MEMORY_BUDGET_MIB: "256", CTI_SLICES: "4" };
    const { command } = parseSettings([], env);
    assert.ok(command.command === "run");
    assert.deepEqual([command.input, command.output, command.maxFieldBytes, command.workers, command.memoryBudgetBytes, command.sliceCount], ["s3://b/in/", "s3://b/out/", 10, 3, 256 << 20, 4]);
  });

  it("reads the warehouse, deadline and lease variables", () => {
    const s = parseSettings(["sql", "SELECT 1"], {
      CTI_REDSHIFT_WORKGROUP: "wg",
      CTI_REDSHIFT_DATABASE: "dev",
      CTI_REDSHIFT_COPY_ROLE_ARN: "arn:aws:iam::1:role/r",
      CTI_TABLE: "s.t",
      CTI_WAREHOUSE: "none",
      CTI_DEADLINE_SECONDS: "60",
      CTI_LEASE_TTL_SECONDS: "30",
    });
    assert.deepEqual(s.warehouse, { workgroup: "wg", database: "dev", copyRoleArn: "arn:aws:iam::1:role/r", table: "s.t", warehouse: "none" });
    assert.equal(s.deadlineSeconds, 60);
    assert.equal(s.leaseTtlMs, 30_000);
  });

  it("reads observability's variables into its config", () => {
    const s = parseSettings(["--version"], { CTI_LOG_LEVEL: "debug", CTI_NOTIFY_ATTEMPTS: "5" });
    assert.deepEqual([s.observability.log.level, s.observability.notifications.retry.maxAttempts], ["debug", 5]);
  });

  it("names the variable at fault, and the flag when a flag stood for it", () => {
    const base = { CTI_INPUT: "i", CTI_OUTPUT: "o" };
    usage(["run"], { ...base, CTI_SLICES: "0" }, /^CTI_SLICES must be an integer from 1 to 1024 \(was "0"\)$/);
    usage(["run"], { ...base, CTI_WORKERS: "two" }, /CTI_WORKERS must be an integer/);
    usage(["run"], { ...base, CTI_MEMORY_BUDGET_MIB: "1" }, /CTI_MEMORY_BUDGET_MIB must be an integer from 16/);
    usage(["run"], { ...base, CTI_LEASE_TTL_SECONDS: "4" }, /^CTI_LEASE_TTL_SECONDS must be a whole number of seconds from 5 to 86400 \(was "4"\)$/);
    usage(["run", "--slices", "0"], base, /^--slices must be an integer from 1 to 1024 \(was "0"\)$/);
    // A flag wins over its variable, as it did before the variable was checked.
    const { command } = parseSettings(["run", "--workers", "2"], { ...base, CTI_WORKERS: "2" });
    assert.ok(command.command === "run" && command.workers === 2);
  });

  it("names every variable at fault at once, for every command but --help and --version", () => {
    const env = { CTI_LOG_LEVEL: "loud", CTI_DEADLINE_SECONDS: "soon" };
    for (const argv of [["run", "-i", "a", "-o", "b"], ["sql", "SELECT 1"], ["status"]]) usage(argv, env, /CTI_DEADLINE_SECONDS must be a whole number of seconds.*; CTI_LOG_LEVEL must be/);
    assert.deepEqual(parseSettings(["--help"], env).command, { command: "help", topic: "main" });
    assert.deepEqual(parseSettings(["run", "--help"], env).command, { command: "help", topic: "run" });
    assert.deepEqual(parseSettings(["--version"], env).command, { command: "version" });
  });
});
