/**
 * How a log record becomes a line (pure): one JSON object per line for CloudWatch Logs (its
 * members are what CloudWatch Logs Insights queries and the EMF extraction read: never renamed),
 * or a short readable line when a person watches stderr. Both redact secrets first.
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

/** How a level starts a readable line: nothing for info (most lines), a word for the rest. */
const LEVEL_LABEL: Readonly<Record<LogLevel, string>> = { debug: "debug: ", info: "", warn: "warning: ", error: "error: " };

/** Members left out of a readable line: the same on every line of a run, or for machines only. */
const HIDDEN_READABLE_KEYS = new Set(["time", "level", "msg", "runId", "taskArn", "job", "_aws"]);

/** Longest a field's value gets on a readable line before it is cut with `…`. */
export const MAX_READABLE_VALUE = 80;

/** Options of {@link formatReadableLine}. */
export interface ReadableLineOptions {
  /** Print an error's stack on the lines below (a debug log). Default false: its message only. */
  stack?: boolean;
}

/**
 * The record for a person, one short line: `10:45:12 warning: message  key=value …`, time in
 * UTC, the level named only when it is not info, strings quoted only when they hold spaces, an
 * error as its message, other objects as compact JSON cut at {@link MAX_READABLE_VALUE}
 * characters. The run id, task ARN and job are left out (the same on every line); the JSON
 * format keeps everything.
 */
export function formatReadableLine(record: Readonly<Record<string, unknown>>, options: ReadableLineOptions = {}): string {
  const safe = redact(record) as Record<string, unknown>;
  const time = typeof safe.time === "string" ? safe.time.slice(11, 19) : "";
  const level = LEVEL_LABEL[safe.level as LogLevel] ?? `${String(safe.level)}: `;
  const pairs: string[] = [];
  let stack: string | undefined;
  for (const [key, value] of Object.entries(safe)) {
    if (HIDDEN_READABLE_KEYS.has(key) || value === undefined) continue;
    if (value && typeof value === "object" && typeof (value as { message?: unknown }).message === "string") {
      const error = value as { message: string; stack?: unknown; code?: unknown };
      if (typeof error.stack === "string") stack = error.stack;
      pairs.push(`${key}=${readableValue(typeof error.code === "string" ? `${error.code}: ${error.message}` : error.message)}`);
      continue;
    }
    pairs.push(`${key}=${readableValue(value)}`);
  }
  const head = [time, `${level}${String(safe.msg ?? "")}`].filter((part) => part !== "").join(" ");
  return (pairs.length ? `${head}  ${pairs.join(" ")}` : head) + "\n" + (options.stack && stack ? indent(stack) + "\n" : "");
}

function readableValue(value: unknown): string {
  const text = typeof value === "string" ? (/[\s"=]/.test(value) || value === "" ? JSON.stringify(value) : value) : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_READABLE_VALUE ? `${text.slice(0, MAX_READABLE_VALUE - 1)}…` : text;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}
