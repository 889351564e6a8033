/**
 * The environment variables of logging, metrics, notifications and the anomaly check, parsed
 * once by the composition root (pure). Unset or empty means the default; every notification is
 * off unless configured.
 *
 * | Variable | Meaning | Default |
 * | --- | --- | --- |
 * | `CTI_JOB_NAME` | the `Job` metric dimension and PagerDuty dedup key | the ECS task family, else `cti-etl` |
 * | `CTI_LOG_LEVEL` | `debug`, `info`, `warn`, `error` | `info` |
 * | `CTI_LOG_FORMAT` | `json`, `pretty`, `auto` (pretty on a terminal) | `auto` |
 * | `CTI_HEARTBEAT_URL` | secret: GET after each successful run | off |
 * | `CTI_PAGERDUTY_ROUTING_KEY` | secret: Events API v2 integration key | off |
 * | `CTI_PAGERDUTY_SEVERITY` | `critical`, `error`, `warning`, `info` | `error` |
 * | `CTI_PAGERDUTY_URL` | Events API endpoint | `https://events.pagerduty.com/v2/enqueue` |
 * | `CTI_WEBHOOK_URL` | secret: POST of the run's JSON after every run | off |
 * | `CTI_NOTIFY_TIMEOUT_MS` | per attempt, 100–60000 | 5000 |
 * | `CTI_NOTIFY_ATTEMPTS` | attempts per notification, 1–10 | 3 |
 * | `CTI_ANOMALY_HISTORY_RUNS` | successful runs compared with, 0 (off)–1000 | 20 |
 * | `CTI_ANOMALY_MIN_HISTORY` | fewest runs the history rules need, 1–1000 | 5 |
 * | `CTI_ANOMALY_MAX_STDDEVS` | standard deviations tolerated | 3 |
 * | `CTI_ANOMALY_MAX_REJECTED_RATIO` | 0–1, e.g. `0.05` | no limit |
 * | `CTI_ANOMALY_ACTION` | `warn` or `fail` (fail before the load) | `warn` |
 * | `ECS_CONTAINER_METADATA_URI_V4` | set by ECS; never set by hand | — |
 *
 * The three secrets hold credentials (anyone with the routing key can page, anyone with a
 * heartbeat or webhook URL can post to it): on ECS they come from Secrets Manager through the
 * task definition's `secrets`, never from plain `environment` or Pulumi config in clear text.
 */
import { type } from "arktype";
import { EtlError } from "../errors.ts";
import { DEFAULT_ANOMALY_POLICY, type AnomalyPolicy } from "./anomaly.ts";
import type { LogFormatSetting, LogLevel } from "./log-format.ts";
import { DEFAULT_NOTIFY_RETRY, type NotificationConfig } from "./notifications.ts";
import { PAGERDUTY_EVENTS_URL, type PagerDutySeverity } from "./pagerduty-event.ts";
import type { TaskMetadata } from "./ecs-metadata.ts";

/** Everything observability takes from the environment. */
export interface ObservabilityConfig {
  /** `CTI_JOB_NAME`; see {@link resolveJobName} for the default. */
  jobName?: string;
  log: { level: LogLevel; format: LogFormatSetting };
  /** `ECS_CONTAINER_METADATA_URI_V4`: set exactly when running on ECS. */
  ecsMetadataUri?: string;
  notifications: NotificationConfig;
  anomaly: AnomalyPolicy;
}

/** Variables holding secrets: inject them from Secrets Manager; never echoed in errors or logs. */
export const SECRET_ENV_KEYS = ["CTI_PAGERDUTY_ROUTING_KEY", "CTI_HEARTBEAT_URL", "CTI_WEBHOOK_URL"] as const;

/** The job name when neither `CTI_JOB_NAME` nor the ECS task family is known. */
export const DEFAULT_JOB_NAME = "cti-etl";

const httpUrl = type(/^https?:\/\/[^\s/?#]+([/?#]\S*)?$/).describe("an http:// or https:// URL");
const integerIn = (min: number, max: number) => type("string.integer.parse").to(`${min} <= number <= ${max}`);

const schema = type({
  "CTI_JOB_NAME?": type(/^[A-Za-z0-9][A-Za-z0-9_.\/-]{0,127}$/).describe("1–128 letters, digits, _ . / -, starting with a letter or digit"),
  "CTI_LOG_LEVEL?": type.enumerated("debug", "info", "warn", "error"),
  "CTI_LOG_FORMAT?": type.enumerated("auto", "json", "pretty"),
  "ECS_CONTAINER_METADATA_URI_V4?": httpUrl,
  "CTI_HEARTBEAT_URL?": httpUrl,
  "CTI_PAGERDUTY_ROUTING_KEY?": type(/^\S{1,128}$/).describe("an Events API v2 integration key"),
  "CTI_PAGERDUTY_SEVERITY?": type.enumerated("critical", "error", "warning", "info"),
  "CTI_PAGERDUTY_URL?": httpUrl,
  "CTI_WEBHOOK_URL?": httpUrl,
  "CTI_NOTIFY_TIMEOUT_MS?": integerIn(100, 60_000),
  "CTI_NOTIFY_ATTEMPTS?": integerIn(1, 10),
  "CTI_ANOMALY_HISTORY_RUNS?": integerIn(0, 1000),
  "CTI_ANOMALY_MIN_HISTORY?": integerIn(1, 1000),
  "CTI_ANOMALY_MAX_STDDEVS?": type("string.numeric.parse").to("number > 0"),
  "CTI_ANOMALY_MAX_REJECTED_RATIO?": type("string.numeric.parse").to("0 <= number <= 1"),
  "CTI_ANOMALY_ACTION?": type.enumerated("warn", "fail"),
});

/** Variables this module reads. */
export const OBSERVABILITY_ENV_KEYS: readonly string[] = schema.props.map((p) => String(p.key));

/**
 * Parses the environment.
 * @throws EtlError USAGE naming every variable that is wrong; a secret's value is never shown.
 */
export function observabilityConfigFromEnv(env: Readonly<Record<string, string | undefined>>): ObservabilityConfig {
  const present: Record<string, string> = {};
  for (const key of OBSERVABILITY_ENV_KEYS) {
    const value = env[key]?.trim();
    if (value) present[key] = value;
  }
  const parsed = schema(present);
  if (parsed instanceof type.errors) {
    const problems = [...parsed].map((e) => {
      const key = String(e.path[0] ?? "");
      return (SECRET_ENV_KEYS as readonly string[]).includes(key) ? `${key} is not valid (value not shown)` : e.message;
    });
    throw new EtlError("USAGE", `bad observability settings: ${problems.join("; ")}`);
  }
  const notifications: NotificationConfig = {
    retry: {
      ...DEFAULT_NOTIFY_RETRY,
      ...(parsed.CTI_NOTIFY_TIMEOUT_MS !== undefined ? { attemptTimeoutMs: parsed.CTI_NOTIFY_TIMEOUT_MS } : {}),
      ...(parsed.CTI_NOTIFY_ATTEMPTS !== undefined ? { maxAttempts: parsed.CTI_NOTIFY_ATTEMPTS } : {}),
    },
  };
  if (parsed.CTI_HEARTBEAT_URL) notifications.heartbeatUrl = parsed.CTI_HEARTBEAT_URL;
  if (parsed.CTI_WEBHOOK_URL) notifications.webhookUrl = parsed.CTI_WEBHOOK_URL;
  if (parsed.CTI_PAGERDUTY_ROUTING_KEY) {
    notifications.pagerDuty = {
      routingKey: parsed.CTI_PAGERDUTY_ROUTING_KEY,
      severity: (parsed.CTI_PAGERDUTY_SEVERITY ?? "error") as PagerDutySeverity,
      url: parsed.CTI_PAGERDUTY_URL ?? PAGERDUTY_EVENTS_URL,
    };
  }
  const anomaly: AnomalyPolicy = {
    historyRuns: parsed.CTI_ANOMALY_HISTORY_RUNS ?? DEFAULT_ANOMALY_POLICY.historyRuns,
    minHistory: parsed.CTI_ANOMALY_MIN_HISTORY ?? DEFAULT_ANOMALY_POLICY.minHistory,
    maxStdDevs: parsed.CTI_ANOMALY_MAX_STDDEVS ?? DEFAULT_ANOMALY_POLICY.maxStdDevs,
    action: parsed.CTI_ANOMALY_ACTION ?? DEFAULT_ANOMALY_POLICY.action,
    ...(parsed.CTI_ANOMALY_MAX_REJECTED_RATIO !== undefined ? { maxRejectedRatio: parsed.CTI_ANOMALY_MAX_REJECTED_RATIO } : {}),
  };
  return {
    ...(parsed.CTI_JOB_NAME ? { jobName: parsed.CTI_JOB_NAME } : {}),
    log: { level: parsed.CTI_LOG_LEVEL ?? "info", format: parsed.CTI_LOG_FORMAT ?? "auto" },
    ...(parsed.ECS_CONTAINER_METADATA_URI_V4 ? { ecsMetadataUri: parsed.ECS_CONTAINER_METADATA_URI_V4 } : {}),
    notifications,
    anomaly,
  };
}

/**
 * The job's name: `CTI_JOB_NAME`, else the ECS task definition family (what infra names the
 * alarms' `Job` dimension after, e.g. `cti-etl-prod`), else `cti-etl`.
 */
export function resolveJobName(config: Pick<ObservabilityConfig, "jobName">, metadata?: Pick<TaskMetadata, "family">): string {
  return config.jobName ?? metadata?.family ?? DEFAULT_JOB_NAME;
}
