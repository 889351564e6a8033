import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { type InfraConfig, knownKeys, parseInfraConfig, type RawInfraConfig, readInfraConfig } from "../../infra/config.ts";
import { fargateSizes } from "../../infra/fargate-sizing.ts";
import { loadProgram, project, readStackConfig } from "./support/pulumi-mocks.ts";

const defaults: InfraConfig = {
  region: "us-east-1",
  taskCpu: 1024,
  taskMemory: 2048,
  cpuArchitecture: "ARM64",
  taskEphemeralStorageGiB: 21,
  scheduleExpression: "cron(0 3 * * ? *)",
  scheduleTimeZone: "UTC",
  scheduleFlexibleWindowMinutes: 0,
  scheduleRetryAttempts: 3,
  scheduleMaxEventAgeSeconds: 3600,
  schedulePaused: false,
  inputPrefix: "input/",
  outputPrefix: "runs/",
  stagingRetentionDays: 14,
  noncurrentVersionRetentionDays: 30,
  redshiftBaseCapacity: 8,
  redshiftDatabase: "cti",
  redshiftTable: "public.cti_records",
  logRetentionDays: 30,
  natGateway: "none",
  fanOut: false,
  fanOutMaxConcurrency: 20,
  fanOutShardAttempts: 3,
  notificationSecrets: {},
};

const secret = (name: string, region = "us-east-1") => `arn:aws:secretsmanager:${region}:123456789012:secret:cti-etl/${name}-AbC123`;

/** Stack-file keys (`cti-etl:taskCpu`) as `parseInfraConfig` takes them (`taskCpu`). */
function asRaw(stackConfig: Record<string, string>): RawInfraConfig {
  return Object.fromEntries(Object.entries(stackConfig).map(([key, value]) => [key.replace(`${project}:`, ""), value]));
}

function problemsOf(raw: RawInfraConfig): readonly string[] {
  const result = parseInfraConfig({ "aws:region": "us-east-1", ...raw });
  assert.equal(result.ok, false, `expected ${JSON.stringify(raw)} to be refused`);
  return result.ok ? [] : result.problems;
}

describe("config", () => {
  describe("parseInfraConfig", () => {
    it("applies the documented defaults when only the region is set", () => {
      assert.deepEqual(parseInfraConfig({ "aws:region": "us-east-1" }), { ok: true, config: defaults });
    });

    it("reads the dev stack file into exactly the defaults", () => {
      assert.deepEqual(parseInfraConfig(asRaw(readStackConfig("dev"))), { ok: true, config: defaults });
    });

    it("parses numbers and keeps an alert e-mail", () => {
      const result = parseInfraConfig({ "aws:region": "eu-west-1", taskCpu: "4096", taskMemory: "30720", alertEmail: "ops@example.com", natGateway: "single" });
      assert.ok(result.ok);
      assert.equal(result.config.taskCpu, 4096);
      assert.equal(result.config.taskMemory, 30720);
      assert.equal(result.config.alertEmail, "ops@example.com");
      assert.equal(result.config.natGateway, "single");
    });

    it("maps the notification secrets to the task variables they fill", () => {
      const result = parseInfraConfig({
        "aws:region": "us-east-1",
        natGateway: "single",
        heartbeatUrlArn: secret("heartbeat"),
        pagerDutyRoutingKeyArn: secret("pagerduty"),
      });
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(result.config.notificationSecrets, { CTI_HEARTBEAT_URL: secret("heartbeat"), CTI_PAGERDUTY_ROUTING_KEY: secret("pagerduty") });
    });

    const refused: [string, RawInfraConfig, RegExp][] = [
      ["a CPU size Fargate lacks", { taskCpu: "300" }, /^taskCpu must be 256, 512, 1024, 2048, 4096, 8192 or 16384 \(was 300\)$/],
      ["a non-numeric CPU", { taskCpu: "lots" }, /^taskCpu must be .*integer.* \(was "lots"\)$/],
      ["memory that does not pair with the CPU", { taskCpu: "1024", taskMemory: "3000" }, /^taskMemory 3000 MiB is not valid with taskCpu 1024: allowed 2048, 3072/],
      ["an unknown architecture", { cpuArchitecture: "arm" }, /^cpuArchitecture must be "ARM64" or "X86_64" \(was "arm"\)$/],
      ["ephemeral storage under Fargate's minimum", { taskEphemeralStorageGiB: "20" }, /^taskEphemeralStorageGiB must be at least 21 \(was 20\)$/],
      ["an empty schedule", { scheduleExpression: "" }, /^scheduleExpression must be non-empty \(was ""\)$/],
      ["an empty time zone", { scheduleTimeZone: "" }, /^scheduleTimeZone must be non-empty \(was ""\)$/],
      ["a five-field cron", { scheduleExpression: "cron(0 3 * * *)" }, /^scheduleExpression has 5 cron fields; EventBridge Scheduler needs 6: minutes hours day-of-month month day-of-week year, e\.g\. cron\(0 3 \* \* \? \*\) \(was "cron\(0 3 \* \* \*\)"\)$/],
      ["a cron hour out of range", { scheduleExpression: "cron(0 24 * * ? *)" }, /^scheduleExpression has hours 24, outside 0-23 \(was "cron\(0 24 \* \* \? \*\)"\)$/],
      ["a rate with a plural unit for 1", { scheduleExpression: "rate(1 hours)" }, /^scheduleExpression says rate\(1 hours\): with a value of 1 the unit is singular, rate\(1 hour\) \(was "rate\(1 hours\)"\)$/],
      ["a time zone in the wrong case", { scheduleTimeZone: "europe/berlin" }, /^scheduleTimeZone is spelled with the wrong capitals; .*use Europe\/Berlin \(was "europe\/berlin"\)$/],
      ["an unknown time zone", { scheduleTimeZone: "Mars/Olympus" }, /^scheduleTimeZone is not an IANA time zone name; .* \(was "Mars\/Olympus"\)$/],
      ["a flexible window longer than a day", { scheduleFlexibleWindowMinutes: "1441" }, /^scheduleFlexibleWindowMinutes must be 0 to 1440 \(was 1441\)$/],
      ["more retries than Scheduler allows", { scheduleRetryAttempts: "186" }, /^scheduleRetryAttempts must be 0 to 185 \(was 186\)$/],
      ["an event age under a minute", { scheduleMaxEventAgeSeconds: "59" }, /^scheduleMaxEventAgeSeconds must be 60 to 86400 \(was 59\)$/],
      ["a paused flag that is not a boolean", { schedulePaused: "yes" }, /^schedulePaused must be "false" or "true" \(was "yes"\)$/],
      ["an input prefix starting with /", { inputPrefix: "/input/" }, /^inputPrefix must be an S3 key prefix that ends in \/ .* \(was "\/input\/"\)$/],
      ["an input prefix without trailing /", { inputPrefix: "input" }, /^inputPrefix must be an S3 key prefix that ends in \/.*\(was "input"\)$/],
      ["an input prefix inside the output root", { inputPrefix: "runs/input/" }, /^inputPrefix must not overlap the output prefix "runs\/" \(was "runs\/input\/"\)$/],
      ["a zero staging retention", { stagingRetentionDays: "0" }, /^stagingRetentionDays must be at least 1 \(was 0\)$/],
      ["a base capacity that is not 4 or a multiple of 8", { redshiftBaseCapacity: "12" }, /^redshiftBaseCapacity must be 4, or a multiple of 8 from 8 to 512 \(was 12\)$/],
      ["a base capacity above 512", { redshiftBaseCapacity: "520" }, /^redshiftBaseCapacity must be 4, or a multiple of 8 from 8 to 512 \(was 520\)$/],
      ["an upper-case database", { redshiftDatabase: "Dev" }, /^redshiftDatabase must be a lower-case Redshift database name .* \(was "Dev"\)$/],
      ["a table the task would refuse", { redshiftTable: "Bad Table" }, /^redshiftTable must be a lower-case table name.* \(was "Bad Table"\)$/],
      ["a retention CloudWatch does not offer", { logRetentionDays: "2" }, /^logRetentionDays must be 1, 3, 5, 7, 14, 30, .* or 3653 \(was 2\)$/],
      ["an unknown NAT choice", { natGateway: "double" }, /^natGateway must be "none" or "single" \(was "double"\)$/],
      ["an alert address that is not an e-mail", { alertEmail: "ops" }, /^alertEmail must be an email address \(was "ops"\)$/],
      ["a secret named by its name, not its ARN", { natGateway: "single", webhookUrlArn: "cti-etl/webhook" }, /^webhookUrlArn must be the complete ARN of a Secrets Manager secret .* \(was "cti-etl\/webhook"\)$/],
      ["a secret ARN without its six-character suffix", { natGateway: "single", webhookUrlArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:cti-etl/webhook" }, /^webhookUrlArn must be the complete ARN/],
      ["a notification secret without a NAT gateway", { pagerDutyRoutingKeyArn: secret("pagerduty") }, /^pagerDutyRoutingKeyArn needs natGateway "single": the task reaches CTI_PAGERDUTY_ROUTING_KEY on the internet \(natGateway was "none"\)$/],
      ["a notification secret in another region", { natGateway: "single", heartbeatUrlArn: secret("heartbeat", "eu-west-1") }, /^heartbeatUrlArn must name a secret in the stack's region us-east-1 \(was in eu-west-1\)$/],
      ["a region that is not a region code", { "aws:region": "Europe" }, /^aws:region must be an AWS region code such as us-east-1 \(was "Europe"\)$/],
      ["a fan-out concurrency past a Distributed Map's 10,000", { fanOutMaxConcurrency: "10001" }, /^fanOutMaxConcurrency must be at most 10000 \(was 10001\)$/],
      ["a fan-out flag that is not true or false", { fanOut: "yes" }, /^fanOut must be "false" or "true" \(was "yes"\)$/],
      ["a misspelt key", { taskCPU: "1024" }, /^taskCPU is not a known setting \(was "1024"\): remove it or use one of aws:region, .*taskCpu/],
    ];
    for (const [what, raw, message] of refused) {
      it(`refuses ${what}, naming the key, the value and what is allowed`, () => {
        const problems = problemsOf(raw);
        assert.equal(problems.length, 1, problems.join("\n"));
        assert.match(problems[0]!, message);
      });
    }

    it("refuses a missing region", () => {
      const result = parseInfraConfig({});
      assert.ok(!result.ok);
      assert.match(result.problems.join("\n"), /^aws:region must be/m);
    });

    it("reads the schedule's timing and paused flag", () => {
      const result = parseInfraConfig({
        "aws:region": "us-east-1",
        scheduleExpression: "rate(6 hours)",
        scheduleTimeZone: "Europe/Berlin",
        scheduleFlexibleWindowMinutes: "15",
        scheduleRetryAttempts: "0",
        scheduleMaxEventAgeSeconds: "600",
        schedulePaused: "true",
      });
      assert.ok(result.ok);
      assert.deepEqual(
        [result.config.scheduleExpression, result.config.scheduleTimeZone, result.config.scheduleFlexibleWindowMinutes, result.config.scheduleRetryAttempts, result.config.scheduleMaxEventAgeSeconds, result.config.schedulePaused],
        ["rate(6 hours)", "Europe/Berlin", 15, 0, 600, true],
      );
    });

    it("reports every problem at once", () => {
      assert.equal(problemsOf({ natGateway: "x", logRetentionDays: "2", taskCpu: "1" }).length, 3);
    });

    it("checks combinations once every key is valid on its own", () => {
      assert.deepEqual(problemsOf({ taskMemory: "3000", inputPrefix: "runs/" }), [
        "taskMemory 3000 MiB is not valid with taskCpu 1024: allowed 2048, 3072, 4096, 5120, 6144, 7168, 8192 MiB",
        'inputPrefix must not overlap the output prefix "runs/" (was "runs/")',
      ]);
    });

    it("accepts every Fargate size and refuses a pair off the table", () => {
      for (const { cpu, memory } of fargateSizes()) {
        assert.ok(parseInfraConfig({ "aws:region": "us-east-1", taskCpu: String(cpu), taskMemory: String(memory) }).ok, `${cpu}/${memory}`);
      }
      assert.match(problemsOf({ taskCpu: "256", taskMemory: "4096" })[0]!, /taskMemory 4096 MiB is not valid with taskCpu 256/);
    });
  });

  describe("readInfraConfig", () => {
    before(() => loadProgram());

    it("stops the deployment with every problem listed", () => {
      const saved = pulumi.runtime.allConfig();
      try {
        pulumi.runtime.setAllConfig({ ...saved, [`${project}:natGateway`]: "double", [`${project}:logRetentionDays`]: "2" });
        assert.throws(readInfraConfig, (error: Error) => {
          assert.match(error.message, /^Invalid stack configuration:\n {2}- logRetentionDays must be 1, 3, .*\(was 2\)\n {2}- natGateway must be "none" or "single" \(was "double"\)$/);
          return true;
        });
      } finally {
        pulumi.runtime.setAllConfig(saved);
      }
    });

    it("reads the region from the AWS provider's key and the rest from the project's", () => {
      assert.deepEqual(readInfraConfig(), defaults);
    });
  });

  describe("stack files", () => {
    const stackFile = readFileSync(new URL("../../Pulumi.dev.yaml", import.meta.url), "utf8");

    it("documents every key in Pulumi.dev.yaml with a comment line above it", () => {
      const lines = stackFile.split("\n");
      for (const key of knownKeys()) {
        const name = key.includes(":") ? key : `${project}:${key}`;
        const at = lines.findIndex((line) => new RegExp(`^ {2}(# )?${name}:`).test(line));
        assert.ok(at > 0, `${name} is missing from Pulumi.dev.yaml`);
        assert.match(lines[at - 1]!, /^ {2}# \S/, `${name} has no comment above it`);
      }
    });

    it("keeps secrets out of the stack file", () => {
      assert.doesNotMatch(stackFile, /secure:/);
      assert.doesNotMatch(stackFile, /^\s+[\w-]+:\w*(password|secret|token)\w*:/im);
    });
  });
});
