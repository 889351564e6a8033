import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { parseEnvironment } from "../../../task/src/config/environment.ts";
import {
  OBSERVABILITY_ENV_KEYS,
  SECRET_ENV_KEYS,
  observabilityConfig,
  resolveJobName,
} from "../../../task/src/observability/observability-config.ts";

/** As the composition root does: the environment parsed once, then observability's part of it. */
const observabilityConfigFromEnv = (env: Record<string, string>) => observabilityConfig(parseEnvironment(env));

describe("observabilityConfig", () => {
  it("turns everything off and uses the defaults on an empty environment", () => {
    assert.deepEqual(observabilityConfigFromEnv({}), {
      log: { level: "info", format: "auto" },
      notifications: { retry: { maxAttempts: 3, attemptTimeoutMs: 5000, baseDelayMs: 250, maxDelayMs: 5000 } },
      anomaly: { historyRuns: 20, minHistory: 5, maxStdDevs: 3, action: "warn" },
    });
  });

  it("reads every setting", () => {
    const config = observabilityConfigFromEnv({
      CTI_JOB_NAME: "cti-etl-prod",
      CTI_LOG_LEVEL: "debug",
      CTI_LOG_FORMAT: "json",
      ECS_CONTAINER_METADATA_URI_V4: "http://169.254.170.2/v4/abc",
      CTI_HEARTBEAT_URL: "https://hc-ping.com/uuid",
      CTI_PAGERDUTY_ROUTING_KEY: "R0123456789abcdef0123456789abcde",
      CTI_PAGERDUTY_SEVERITY: "critical",
      CTI_PAGERDUTY_URL: "https://events.eu.pagerduty.com/v2/enqueue",
      CTI_WEBHOOK_URL: "https://hooks.example.com/cti",
      CTI_NOTIFY_TIMEOUT_MS: "2000",
      CTI_NOTIFY_ATTEMPTS: "5",
      CTI_ANOMALY_HISTORY_RUNS: "30",
      CTI_ANOMALY_MIN_HISTORY: "7",
      CTI_ANOMALY_MAX_STDDEVS: "2.5",
      CTI_ANOMALY_MAX_REJECTED_RATIO: "0.05",
      CTI_ANOMALY_ACTION: "fail",
    });
    assert.deepEqual(config, {
      jobName: "cti-etl-prod",
      log: { level: "debug", format: "json" },
      ecsMetadataUri: "http://169.254.170.2/v4/abc",
      notifications: {
        retry: { maxAttempts: 5, attemptTimeoutMs: 2000, baseDelayMs: 250, maxDelayMs: 5000 },
        heartbeatUrl: "https://hc-ping.com/uuid",
        webhookUrl: "https://hooks.example.com/cti",
        pagerDuty: { routingKey: "R0123456789abcdef0123456789abcde", severity: "critical", url: "https://events.eu.pagerduty.com/v2/enqueue" },
      },
      anomaly: { historyRuns: 30, minHistory: 7, maxStdDevs: 2.5, maxRejectedRatio: 0.05, action: "fail" },
    });
  });

  it("treats an empty variable as unset", () => {
    assert.equal(observabilityConfigFromEnv({ CTI_WEBHOOK_URL: "", CTI_ANOMALY_ACTION: " " }).notifications.webhookUrl, undefined);
  });

  it("names every bad variable in one usage error", () => {
    assert.throws(
      () => observabilityConfigFromEnv({ CTI_LOG_LEVEL: "loud", CTI_ANOMALY_MAX_REJECTED_RATIO: "2", CTI_NOTIFY_ATTEMPTS: "0" }),
      (error: unknown) =>
        error instanceof EtlError && error.code === "USAGE" && /CTI_LOG_LEVEL/.test(error.message) && /CTI_ANOMALY_MAX_REJECTED_RATIO/.test(error.message) && /CTI_NOTIFY_ATTEMPTS/.test(error.message),
    );
  });

  it("never shows a secret's value in its error", () => {
    for (const key of SECRET_ENV_KEYS) {
      const secret = "has spaces so it is invalid";
      assert.throws(
        () => observabilityConfigFromEnv({ [key]: secret }),
        (error: unknown) => error instanceof EtlError && error.message.includes(key) && !error.message.includes(secret),
      );
    }
  });

  it("reads only its own variables", () => {
    assert.ok(OBSERVABILITY_ENV_KEYS.every((key) => key.startsWith("CTI_") || key === "ECS_CONTAINER_METADATA_URI_V4"));
  });
});

describe("resolveJobName", () => {
  it("prefers CTI_JOB_NAME, then the ECS task family, then cti-etl", () => {
    assert.equal(resolveJobName({ jobName: "named" }, { family: "fam" }), "named");
    assert.equal(resolveJobName({}, { family: "cti-etl-prod" }), "cti-etl-prod");
    assert.equal(resolveJobName({}), "cti-etl");
  });
});
