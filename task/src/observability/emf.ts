/**
 * The job's metrics as CloudWatch embedded metric format (EMF) documents (pure): log lines
 * from which CloudWatch Logs extracts metrics, so publishing them costs no API call and no
 * permission beyond writing logs.
 *
 * One namespace ({@link METRICS_NAMESPACE}); every metric has the `Job` dimension. A run writes:
 * - one document with dimensions `[Job]`: the outcome (`RunSucceeded`, `RunFailed`, `RunSkipped`,
 *   `RunAnomalous`, each 0 or 1, every run), `RunDuration`, and the row counts it got to;
 * - one per rejection reason with dimensions `[Job, Reason]`: `RowsRejected`;
 * - one per stage with dimensions `[Job, Stage]`: `StageDuration`.
 * `scheduler/job-alarms.ts` (the alarms) and `infra/monitoring-plan.ts` (the dashboard) are built from the same names.
 *
 * Not AWS's `aws-embedded-metrics` (4.2.1, read from its README): it writes its own lines to
 * stdout or sends them to a CloudWatch agent, choosing by detecting the environment, and on ECS
 * it picks the agent (TCP), which a Fargate task without an agent sidecar does not have; the
 * override (`AWS_EMF_ENVIRONMENT=Local`) is an environment variable only (its issue #43), read by
 * the library rather than by `main.ts`; it adds default dimensions (ServiceName, ServiceType,
 * LogGroup) unless every set is replaced; and its lines bypass the job's logger, so they would
 * carry no `runId` and skip its redaction and JSON-lines format. What this module does is one
 * pure function from the run's outcome to documents, which the logger writes like any other
 * line; emf.test.ts checks each document against the specification.
 * @see https://github.com/awslabs/aws-embedded-metrics-node#configuration
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import type { RunOutcome } from "./run-outcome.ts";

/** The CloudWatch namespace of every metric the job publishes. */
export const METRICS_NAMESPACE = "CtiEtl";

/** Dimension names. */
export const DIMENSION = { job: "Job", reason: "Reason", stage: "Stage" } as const;

/** Metric names. */
export const METRIC = {
  rowsRead: "RowsRead",
  clean: "RowsClean",
  duplicates: "RowsDuplicate",
  /** Total with `[Job]`, per reason with `[Job, Reason]`. */
  rejected: "RowsRejected",
  loaded: "RowsLoaded",
  alreadyPresent: "RowsAlreadyPresent",
  runSucceeded: "RunSucceeded",
  runFailed: "RunFailed",
  runSkipped: "RunSkipped",
  runAnomalous: "RunAnomalous",
  runDuration: "RunDuration",
  /** With `[Job, Stage]`. */
  stageDuration: "StageDuration",
} as const;

/** The CloudWatch units the job uses. */
export type MetricUnit = "Count" | "Milliseconds";

/** One metric of a directive. */
export interface MetricDefinition {
  Name: string;
  Unit: MetricUnit;
}

/** What CloudWatch extracts: the namespace, the dimension sets, the metrics. */
export interface MetricDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: MetricDefinition[];
}

/** An EMF document: `_aws` metadata, and every dimension and metric as a root member. */
export interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: MetricDirective[] };
  [member: string]: unknown;
}

/**
 * EMF allows at most 100 metrics per directive and 30 dimensions per set; the job stays far
 * below. CloudWatch needs dimension values of 1–1024 ASCII characters with one that is not
 * blank: {@link dimensionValue} makes any text so.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html
 */
export const MAX_DIMENSION_VALUE_LENGTH = 1024;

/** Text as a valid dimension value: non-ASCII and control characters as `?`, at most 1024 characters, `unknown` when blank. */
export function dimensionValue(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, "?").slice(0, MAX_DIMENSION_VALUE_LENGTH);
  return ascii.trim() === "" ? "unknown" : ascii;
}

/**
 * The documents of one run's outcome, timestamped at its end (`finishedAt`).
 * @param job the `Job` dimension's value, e.g. the task family `cti-etl-prod`.
 */
export function runMetricDocuments(outcome: RunOutcome, job: string): EmfDocument[] {
  const timestamp = Date.parse(outcome.finishedAt);
  const at = Number.isNaN(timestamp) ? 0 : timestamp;
  const jobValue = dimensionValue(job);
  const documents = [runDocument(outcome, jobValue, at)];
  for (const [reason, n] of Object.entries(outcome.counts?.rejectedByReason ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    documents.push(document(at, [DIMENSION.job, DIMENSION.reason], { [DIMENSION.job]: jobValue, [DIMENSION.reason]: dimensionValue(reason) }, [
      [METRIC.rejected, "Count", n],
    ]));
  }
  for (const [stage, ms] of Object.entries(outcome.stageDurationsMs ?? {})) {
    documents.push(document(at, [DIMENSION.job, DIMENSION.stage], { [DIMENSION.job]: jobValue, [DIMENSION.stage]: dimensionValue(stage) }, [
      [METRIC.stageDuration, "Milliseconds", ms],
    ]));
  }
  return documents;
}

type Value = readonly [name: string, unit: MetricUnit, value: number];

function runDocument(outcome: RunOutcome, job: string, at: number): EmfDocument {
  const values: Value[] = [
    [METRIC.runSucceeded, "Count", outcome.status === "succeeded" ? 1 : 0],
    [METRIC.runFailed, "Count", outcome.status === "failed" ? 1 : 0],
    [METRIC.runSkipped, "Count", outcome.status === "skipped" ? 1 : 0],
    [METRIC.runAnomalous, "Count", outcome.anomaly?.anomalous ? 1 : 0],
    [METRIC.runDuration, "Milliseconds", outcome.durationMs],
  ];
  const c = outcome.counts;
  if (c) {
    values.push(
      [METRIC.rowsRead, "Count", c.rowsRead],
      [METRIC.clean, "Count", c.clean],
      [METRIC.duplicates, "Count", c.duplicates],
      [METRIC.rejected, "Count", c.rejected],
    );
  }
  if (outcome.load) values.push([METRIC.loaded, "Count", outcome.load.loaded], [METRIC.alreadyPresent, "Count", outcome.load.alreadyPresent]);
  return document(at, [DIMENSION.job], { [DIMENSION.job]: job, Status: outcome.status }, values);
}

function document(at: number, dimensions: string[], members: Record<string, string>, values: readonly Value[]): EmfDocument {
  const doc: EmfDocument = {
    _aws: {
      Timestamp: at,
      CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [dimensions], Metrics: values.map(([Name, Unit]) => ({ Name, Unit })) }],
    },
    ...members,
  };
  for (const [name, , value] of values) doc[name] = Number.isFinite(value) ? value : 0;
  return doc;
}
