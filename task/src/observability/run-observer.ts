/**
 * Observability of one run, put together for the composition root: the logger (with the run
 * id, and on ECS the task ARN, on every line), the task's metadata (whose limits the composition
 * root sizes the run from, config/sizing.ts; the observer only reports the sizing), stage timings, the check against history, and at the end the metrics and notifications. Every
 * decision is one of the pure modules beside this; this holds the run's state and does the I/O.
 * Nothing here fails a run except the anomaly check, and only when configured to.
 */
import type { Dispatcher } from "undici";
import { AnomalousDataError, assessRun, type AnomalyVerdict, type RunVolume } from "./anomaly.ts";
import { readTaskMetadata, type TaskMetadata } from "./ecs-metadata.ts";
import { runMetricDocuments } from "./emf.ts";
import type { RetryPolicy } from "./http-retry.ts";
import { chooseLogFormat } from "./log-format.ts";
import { Logger, type LogSink } from "./logger.ts";
import { notificationPlan, sendNotifications, type NotificationResult } from "./notifications.ts";
import { resolveJobName, type ObservabilityConfig } from "./observability-config.ts";
import type { RunSizing } from "../config/sizing.ts";
import type { RunOutcome } from "./run-outcome.ts";

/** What the observer is given besides its config; all but `stderr` optional. */
export interface RunObserverDeps {
  /** Where log lines go: `process.stderr`. `isTTY` picks the readable format under `auto`. */
  stderr: LogSink & { isTTY?: boolean };
  /** The clock. Default the system clock. */
  now?: () => Date;
  /** undici dispatcher for the metadata endpoint and notifications. Default the global one. */
  dispatcher?: Dispatcher;
  /** Retry policy of the metadata endpoint. Default `TASK_METADATA_RETRY`. */
  metadataRetry?: RetryPolicy;
  /** Waits between notification attempts (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source (tests). */
  random?: () => number;
  /** Told when a stage starts and ends (the terminal's progress view). Default none. */
  onStage?: (event: StageEvent) => void;
}

/**
 * A stage starting or ending, for a progress view. `result` is what the stage's work resolved
 * to (the transform's summary, the load's result), absent when it failed.
 */
export type StageEvent =
  | { stage: string; phase: "started" }
  | { stage: string; phase: "finished"; durationMs: number; failed: boolean; result?: unknown };

/** One run's observability. Build with {@link startRunObserver}. */
export class RunObserver {
  private readonly durations: Record<string, number> = {};
  private verdict: AnomalyVerdict | undefined;

  constructor(
    readonly config: ObservabilityConfig,
    readonly logger: Logger,
    /** The `Job` dimension, PagerDuty dedup key and webhook `job`. */
    readonly job: string,
    private readonly deps: RunObserverDeps,
    /** On ECS, once read. */
    readonly taskMetadata?: TaskMetadata,
  ) {}

  /** Wall time of each stage run through {@link stage}, ms. */
  get stageDurationsMs(): Readonly<Record<string, number>> {
    return { ...this.durations };
  }

  /** The last verdict of {@link checkAgainstHistory}. */
  get anomaly(): AnomalyVerdict | undefined {
    return this.verdict;
  }

  /** Logs the run's sizing, as decided by the composition root (config/sizing.ts). */
  reportSizing(sizing: RunSizing): void {
    this.logger.debug("run sized", { sizing });
  }

  /** Runs `work` as the stage `name` (`transform`, `load`, …), timing it even when it fails. */
  async stage<T>(name: string, work: () => Promise<T>): Promise<T> {
    const started = this.now().getTime();
    this.logger.debug("stage started", { stage: name });
    this.tell({ stage: name, phase: "started" });
    let result: { value: T } | undefined;
    try {
      result = { value: await work() };
      return result.value;
    } finally {
      const ms = this.now().getTime() - started;
      this.durations[name] = (this.durations[name] ?? 0) + ms;
      this.logger[this.forPeople ? "debug" : "info"]("stage finished", { stage: name, durationMs: ms });
      this.tell({ stage: name, phase: "finished", durationMs: ms, failed: result === undefined, ...(result ? { result: result.value } : {}) });
    }
  }

  /**
   * True when the log is read by a person (the pretty format): the progress view and the
   * readable summary then show what the info records of stages and outcomes say, so those
   * records drop to debug (the logger writes no EMF documents in that format either).
   */
  private get forPeople(): boolean {
    return this.logger.format === "pretty";
  }

  private tell(event: StageEvent): void {
    try {
      this.deps.onStage?.(event);
    } catch {
      // A broken progress view must not fail the run.
    }
  }

  /**
   * Compares the run with its history (newest first, e.g. `readRecentRuns(…, { onlyLoaded: true })`)
   * and logs the verdict. History that cannot be read is logged and only the absolute rule
   * applies. Call it after the transform and before the load.
   * @throws AnomalousDataError when the run is anomalous and `CTI_ANOMALY_ACTION=fail`.
   */
  async checkAgainstHistory(current: RunVolume, readHistory: (limit: number) => Promise<readonly RunVolume[]>): Promise<AnomalyVerdict> {
    const policy = this.config.anomaly;
    let history: readonly RunVolume[] = [];
    if (policy.historyRuns > 0) {
      try {
        history = await readHistory(policy.historyRuns);
      } catch (error) {
        this.logger.warn("run history unreadable; only the rejected-ratio limit is checked", { error });
      }
    }
    const verdict = assessRun(current, history, policy);
    this.verdict = verdict;
    const fields = {
      anomalous: verdict.anomalous,
      historyRuns: verdict.historyRuns,
      historyChecked: verdict.historyChecked,
      rowsRead: verdict.rowsRead,
      rejectedRatio: verdict.rejectedRatio,
    };
    if (!verdict.anomalous) {
      this.logger[this.forPeople ? "debug" : "info"]("data check against history passed", fields);
      return verdict;
    }
    this.logger.warn(policy.action === "fail" ? "data is anomalous; failing before the load" : "data is anomalous; loading anyway (CTI_ANOMALY_ACTION=warn)", {
      ...fields,
      reasons: verdict.reasons,
    });
    if (policy.action === "fail") throw new AnomalousDataError(verdict);
    return verdict;
  }

  /**
   * Reports the outcome: one log line, the EMF metric documents, then the notifications. Stage
   * timings and the anomaly verdict are filled in from this observer when the outcome has none.
   * Never rejects.
   */
  async finish(outcome: RunOutcome): Promise<NotificationResult[]> {
    try {
      const complete: RunOutcome = {
        ...outcome,
        ...(outcome.stageDurationsMs === undefined && Object.keys(this.durations).length > 0 ? { stageDurationsMs: this.stageDurationsMs } : {}),
        ...(outcome.anomaly === undefined && this.verdict ? { anomaly: this.verdict } : {}),
      };
      this.logOutcome(complete);
      // Written in the JSON format only (Logger.metrics): EMF documents are for CloudWatch Logs.
      for (const document of runMetricDocuments(complete, this.job)) this.logger.metrics(document);
      const plan = notificationPlan(this.config.notifications, complete, this.job, this.taskMetadata?.taskArn);
      return await sendNotifications(plan, this.config.notifications.retry, {
        logger: this.logger,
        ...(this.deps.dispatcher ? { dispatcher: this.deps.dispatcher } : {}),
        ...(this.deps.sleep ? { sleep: this.deps.sleep } : {}),
        ...(this.deps.random ? { random: this.deps.random } : {}),
      });
    } catch (error) {
      this.logger.error("reporting the run's outcome failed", { error });
      return [];
    }
  }

  private logOutcome(outcome: RunOutcome): void {
    const fields = {
      status: outcome.status,
      durationMs: outcome.durationMs,
      ...(outcome.input !== undefined ? { input: outcome.input } : {}),
      ...(outcome.counts ? { counts: outcome.counts } : {}),
      ...(outcome.load ? { load: outcome.load } : {}),
      ...(outcome.stageDurationsMs ? { stageDurationsMs: outcome.stageDurationsMs } : {}),
      ...(outcome.anomaly ? { anomalous: outcome.anomaly.anomalous } : {}),
    };
    // For a person, the command's own error line and readable summary say this: debug only.
    const people = this.forPeople;
    if (outcome.status === "failed") this.logger[people ? "debug" : "error"]("run failed", { ...fields, failure: outcome.failure });
    else if (outcome.status === "skipped") this.logger[people ? "debug" : "info"]("run skipped", { ...fields, reason: outcome.reason });
    else this.logger[people ? "debug" : "info"]("run succeeded", fields);
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }
}

/**
 * Builds the run's observer: the logger, then, on ECS, the task metadata (its ARN joins every
 * line; its limits are for sizing the run). A metadata endpoint that does not answer is logged and
 * the run goes on without it.
 */
export async function startRunObserver(config: ObservabilityConfig, runId: string, deps: RunObserverDeps): Promise<RunObserver> {
  const format = chooseLogFormat(config.log.format, deps.stderr.isTTY === true);
  let logger = new Logger({ sink: deps.stderr, format, level: config.log.level, context: { runId }, ...(deps.now ? { now: deps.now } : {}) });
  let metadata: TaskMetadata | undefined;
  if (config.ecsMetadataUri) {
    const read = await readTaskMetadata(config.ecsMetadataUri, {
      ...(deps.metadataRetry ? { policy: deps.metadataRetry } : {}),
      ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
    });
    if (read.ok) {
      metadata = read.metadata;
      logger = logger.child({ taskArn: metadata.taskArn });
    } else {
      logger.warn("ECS task metadata unavailable; logs carry no task ARN and limits come from the host", { problem: read.problem });
    }
  }
  const job = resolveJobName(config, metadata);
  logger = logger.child({ job });
  logger.debug("observability ready", {
    format,
    ...(metadata ? { task: { cluster: metadata.cluster, family: metadata.family, revision: metadata.revision, availabilityZone: metadata.availabilityZone } } : {}),
    notifications: {
      heartbeat: config.notifications.heartbeatUrl !== undefined,
      pagerDuty: config.notifications.pagerDuty !== undefined,
      webhook: config.notifications.webhookUrl !== undefined,
    },
  });
  return new RunObserver(config, logger, job, deps, metadata);
}
