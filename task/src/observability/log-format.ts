/**
 * How a log record becomes a line (pure): one JSON object per line for CloudWatch Logs, or a
 * readable line when a person watches stderr. Both redact secrets first.
 */
import { redact } from "./redact.ts";

/** Severity of a record, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Ordering of {@link LogLevel}: a logger writes records at or above its level. */
export const LOG_LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** `json`: one JSON object per line. `pretty`: readable text. */
export type LogFormat = "json" | "pretty";

/** What `CTI_LOG_FORMAT` may say: a format, or `auto` (readable on a terminal, JSON otherwise). */
export type LogFormatSetting = LogFormat | "auto";

/** Members every record starts with, in this order; context and fields cannot overwrite them. */
export const RESERVED_LOG_KEYS = ["time", "level", "msg"] as const;

/** The format for a setting: `auto` is `pretty` exactly when stderr is a terminal. */
export function chooseLogFormat(setting: LogFormatSetting, stderrIsTty: boolean): LogFormat {
  if (setting !== "auto") return setting;
  return stderrIsTty ? "pretty" : "json";
}

/**
 * One record: `time` (ISO 8601, UTC), `level`, `msg`, then the logger's context (run id, task
 * ARN, job) and the call's fields. A field named like a reserved member is kept under a `_`
 * suffix (`time_`), so nothing a caller passes can forge the level or the time.
 */
export function buildLogRecord(
  time: Date,
  level: LogLevel,
  msg: string,
  context: Readonly<Record<string, unknown>>,
  fields: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const record: Record<string, unknown> = { time: time.toISOString(), level, msg };
  for (const source of [context, fields]) {
    for (const [key, value] of Object.entries(source)) {
      if (value === undefined) continue;
      record[(RESERVED_LOG_KEYS as readonly string[]).includes(key) ? `${key}_` : key] = value;
    }
  }
  return record;
}

/** The record as one line of JSON (secrets redacted), ending in a newline. */
export function formatJsonLine(record: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(redact(record)) + "\n";
}

const LEVEL_LABEL: Readonly<Record<LogLevel, string>> = { debug: "DEBUG", info: "INFO ", warn: "WARN ", error: "ERROR" };

/**
 * The record for a person: `10:45:12.345 INFO  message  key=value …`, time in UTC, strings
 * quoted only when they hold spaces, objects as compact JSON; an error's stack on the lines
 * below. The run id and task ARN are left out (they are the same on every line).
 */
export function formatReadableLine(record: Readonly<Record<string, unknown>>): string {
  const safe = redact(record) as Record<string, unknown>;
  const time = typeof safe.time === "string" ? safe.time.slice(11, 23) : "";
  const level = LEVEL_LABEL[safe.level as LogLevel] ?? String(safe.level);
  const pairs: string[] = [];
  let stack: string | undefined;
  for (const [key, value] of Object.entries(safe)) {
    if (key === "time" || key === "level" || key === "msg" || key === "runId" || key === "taskArn" || key === "_aws") continue;
    if (value && typeof value === "object" && typeof (value as { stack?: unknown }).stack === "string") {
      const { stack: s, ...rest } = value as { stack: string };
      stack = s;
      pairs.push(`${key}=${readableValue(rest)}`);
      continue;
    }
    pairs.push(`${key}=${readableValue(value)}`);
  }
  const head = [time, level, String(safe.msg ?? "")].filter((part) => part !== "").join(" ");
  return (pairs.length ? `${head}  ${pairs.join(" ")}` : head) + "\n" + (stack ? indent(stack) + "\n" : "");
}

function readableValue(value: unknown): string {
  if (typeof value === "string") return /[\s"=]/.test(value) || value === "" ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}
