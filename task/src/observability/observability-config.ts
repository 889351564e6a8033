/**
 * The settings of logging, metrics, notifications and the anomaly check, taken from the
 * environment the composition root parsed once (config/environment.ts, whose schema holds the
 * variables' types and ranges). Unset or empty means the default; every notification is off
 * unless configured.
 *
 * The variables, their ranges and defaults are listed once, in config/environment.ts
 * (`ENVIRONMENT_HELP`, printed by `cti-etl --help`).
 *
 * The three secrets hold credentials (anyone with the routing key can page, anyone with a
 * heartbeat or webhook URL can post to it): on ECS they come from Secrets Manager through the
 * task definition's `secrets`, never from plain `environment` or Pulumi config in clear text.
 */
import { ENVIRONMENT_HELP, ENVIRONMENT_KEYS, type ParsedEnvironment } from "../config/environment.ts";
import { DEFAULT_ANOMALY_POLICY, type AnomalyPolicy } from "./anomaly.ts";
import type { LogFormatSetting, LogLevel } from "./log-format.ts";
import { DEFAULT_NOTIFY_RETRY } from "./http-retry.ts";
import type { NotificationConfig } from "./notifications.ts";
import { PAGERDUTY_EVENTS_URL, type PagerDutySeverity } from "./pagerduty-event.ts";
import type { TaskMetadata } from "./ecs-metadata.ts";

export { SECRET_ENV_KEYS } from "../config/environment.ts";

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

/** The job name when neither `CTI_JOB_NAME` nor the ECS task family is known. */
export const DEFAULT_JOB_NAME = "cti-etl";

/** Variables this module reads (the schema's observability section). */
export const OBSERVABILITY_ENV_KEYS: readonly string[] = ENVIRONMENT_KEYS.filter((key) => ENVIRONMENT_HELP[key].section === "observability");

/** Observability's settings from the parsed environment (pure); what is unset takes its default. */
export function observabilityConfig(parsed: ParsedEnvironment): ObservabilityConfig {
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
