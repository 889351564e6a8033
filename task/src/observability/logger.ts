/**
 * The task's logger: structured records on stderr, one per line, each carrying the logger's
 * context (run id, and on ECS the task ARN and job). Formatting and redaction are the pure
 * functions of `log-format.ts`; this only decides what to write and writes it.
 */
import { buildLogRecord, formatJsonLine, formatReadableLine, LOG_LEVEL_RANK, type LogFormat, type LogLevel } from "./log-format.ts";

/** Where lines go: `process.stderr`, or an array in tests. */
export interface LogSink {
  write(text: string): unknown;
}

/** How a {@link Logger} is built. */
export interface LoggerOptions {
  /** Where lines are written, e.g. `process.stderr`. */
  sink: LogSink;
  /** `json` (CloudWatch) or `pretty` (a terminal); see `chooseLogFormat`. */
  format: LogFormat;
  /** Least severe level written. Default `info`. */
  level?: LogLevel;
  /** Members of every record, e.g. `{ runId, taskArn, job }`. Default none. */
  context?: Readonly<Record<string, unknown>>;
  /** The clock. Default the system clock. */
  now?: () => Date;
}

/** A structured logger. Never throws: a sink that throws loses the line, not the run. */
export class Logger {
  private readonly sink: LogSink;
  private readonly rank: number;
  private readonly now: () => Date;
  readonly format: LogFormat;
  readonly level: LogLevel;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(options: LoggerOptions) {
    this.sink = options.sink;
    this.format = options.format;
    this.level = options.level ?? "info";
    this.rank = LOG_LEVEL_RANK[this.level];
    this.context = { ...options.context };
    this.now = options.now ?? (() => new Date());
  }

  debug(msg: string, fields?: Readonly<Record<string, unknown>>): void {
    this.log("debug", msg, fields);
  }

  info(msg: string, fields?: Readonly<Record<string, unknown>>): void {
    this.log("info", msg, fields);
  }

  warn(msg: string, fields?: Readonly<Record<string, unknown>>): void {
    this.log("warn", msg, fields);
  }

  error(msg: string, fields?: Readonly<Record<string, unknown>>): void {
    this.log("error", msg, fields);
  }

  /** A logger writing to the same sink with more context (e.g. the task ARN once it is known). */
  child(context: Readonly<Record<string, unknown>>): Logger {
    return new Logger({ sink: this.sink, format: this.format, level: this.level, context: { ...this.context, ...context }, now: this.now });
  }

  /**
   * Writes one CloudWatch embedded-metric-format document as its own line, whatever the level:
   * the document's members plus the logger's context, so CloudWatch Logs extracts the metrics
   * and the line still names its run. Only in the JSON format: the documents are for CloudWatch,
   * and a person reading the pretty format gets the run's summary instead.
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
   */
  metrics(document: Readonly<Record<string, unknown>>): void {
    if (this.format !== "json") return;
    this.write(buildLogRecord(this.now(), "info", "metrics", this.context, document));
  }

  /** True when records at `level` are written. */
  enabled(level: LogLevel): boolean {
    return LOG_LEVEL_RANK[level] >= this.rank;
  }

  private log(level: LogLevel, msg: string, fields?: Readonly<Record<string, unknown>>): void {
    if (!this.enabled(level)) return;
    this.write(buildLogRecord(this.now(), level, msg, this.context, fields));
  }

  private write(record: Record<string, unknown>): void {
    try {
      this.sink.write(this.format === "json" ? formatJsonLine(record) : formatReadableLine(record, { stack: this.rank <= LOG_LEVEL_RANK.debug }));
    } catch {
      // A closed or broken stderr must not turn into a failed run.
    }
  }
}
