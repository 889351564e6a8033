/**
 * One run observed end to end: a real transform of a small CSV, a real load into embedded
 * Postgres, the ECS metadata endpoint, heartbeat, PagerDuty and webhook as local servers; then
 * the log output is parsed for its EMF documents, and the anomaly check is tripped by a run far
 * from the ledger's history.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { localInput } from "../../../task/src/source/local-input.ts";
import { transformAndPublish } from "../../../task/src/run/transform-and-publish.ts";
import { AnomalousDataError } from "../../../task/src/observability/anomaly.ts";
import { METRICS_NAMESPACE } from "../../../task/src/observability/emf.ts";
import { readRecentRuns } from "../../../task/src/load/ledger-history.ts";
import { sizeRun } from "../../../task/src/config/sizing.ts";
import { parseEnvironment } from "../../../task/src/config/environment.ts";
import { observabilityConfig } from "../../../task/src/observability/observability-config.ts";
import type { PagerDutyEvent } from "../../../task/src/observability/pagerduty-event.ts";
import { runFailure, type RunOutcome } from "../../../task/src/observability/run-outcome.ts";
import { startRunObserver, type RunObserver } from "../../../task/src/observability/run-observer.ts";
import { formatStatusReport } from "../../../task/src/observability/status-report.ts";
import type { WebhookPayload } from "../../../task/src/observability/webhook-payload.ts";
import { LocalRunOutput } from "../../../task/src/sinks/local-run-output.ts";
import { pgliteSession } from "../../../task/src/load/pglite-session.ts";
import { PostgresWarehouse } from "../../../task/src/load/postgres-warehouse.ts";
import { ledgerTableDdl } from "../../../task/src/load/table-ddl.ts";
import { warehouseTables } from "../../../task/src/load/table-names.ts";
import type { LoadRequest, Warehouse } from "../../../task/src/load/warehouse.ts";
import { refusedUrl, startHttpStub, type HttpStub } from "../../support/http-stub.ts";
import { tempDir } from "../../support/temp-dir.ts";
import { sharedPglite } from "../load/support/shared-pglite.ts";
import { emfDocuments, emfProblems, memorySink, parseJsonLines } from "./support/emf-spec.ts";
import { fargateTaskResponse } from "./support/ecs-task-response.ts";

const routingKey = "R0123456789abcdef0123456789abcde";
const fastRetry = { maxAttempts: 2, attemptTimeoutMs: 300, baseDelayMs: 1, maxDelayMs: 5 };

/** 8 rows: 5 clean, 1 duplicate, 2 rejected (missing Key, empty record). */
const CSV = ["Key,Data", "a,1", "b,2", "c,3", "a,1", ",orphan", ",", "d,4", "e,5", ""].join("\n");

describe("RunObserver (a whole run, observed)", () => {
  let stub: HttpStub;
  let dir: { path: string; cleanup(): Promise<void> };
  let warehouse: Warehouse;
  let tableSeq = 0;

  before(async () => {
    stub = await startHttpStub();
    dir = await tempDir("cti-obs-");
    warehouse = new PostgresWarehouse(pgliteSession(await sharedPglite(), false));
  });
  after(async () => {
    await stub.stop();
    await dir.cleanup();
  });
  beforeEach(() => {
    stub.reset();
    stub.route("GET", "/v4/meta/task", { body: fargateTaskResponse });
    stub.route("GET", "/ping/7f3c", { body: "OK" });
    stub.route("POST", "/v2/enqueue", { status: 202, body: { status: "success" } });
    stub.route("POST", "/hooks/cti", { status: 200 });
  });

  const env = (overrides: Record<string, string> = {}) => ({
    ECS_CONTAINER_METADATA_URI_V4: `${stub.url}/v4/meta`,
    CTI_LOG_FORMAT: "auto",
    CTI_HEARTBEAT_URL: `${stub.url}/ping/7f3c`,
    CTI_PAGERDUTY_ROUTING_KEY: routingKey,
    CTI_PAGERDUTY_URL: `${stub.url}/v2/enqueue`,
    CTI_WEBHOOK_URL: `${stub.url}/hooks/cti`,
    ...overrides,
  });

  async function observer(runId: string, environment: Record<string, string>) {
    const stderr = memorySink();
    const config = observabilityConfig(parseEnvironment(environment));
    config.notifications.retry = fastRetry;
    const obs = await startRunObserver(config, runId, { stderr, metadataRetry: fastRetry });
    return { obs, stderr };
  }

  /** Transform and load as the composition root will, through the observer's stages. */
  async function transformAndLoad(obs: RunObserver, runId: string, table: string) {
    const input = join(dir.path, `${runId}.csv`);
    await writeFile(input, CSV);
    const output = await LocalRunOutput.create(join(dir.path, "runs"), runId);
    const summary = await obs.stage("transform", () =>
      transformAndPublish({ runId, input: localInput(input), output, maxFieldBytes: 65535, partBytes: 1 << 20, gzipLevel: 1, workers: 1, memoryBudgetBytes: 64 << 20 }),
    );
    await obs.checkAgainstHistory(summary, (limit) => readRecentRuns(warehouse, "postgres", table, { limit, onlyLoaded: true }));
    const request: LoadRequest = {
      runId,
      table,
      inputs: summary.inputs.map((i) => ({ uri: i.uri, sha256: i.sha256, bytes: i.bytes })),
      counts: summary,
      startedAt: summary.startedAt,
      manifestUrl: output.urlOf("manifest.json"),
      parts: summary.parts.map((p) => ({ url: output.urlOf(p.relPath), rows: p.rows, bytes: p.bytes })),
    };
    const load = await obs.stage("load", () => warehouse.load(request));
    return { summary, load, input };
  }

  it("logs JSON lines with the run id and task ARN, writes valid EMF with the run's values, and notifies", async () => {
    const runId = "20261126T030000Z-obs1";
    const table = `obs_run_${++tableSeq}`;
    const { obs, stderr } = await observer(runId, env());
    assert.equal(obs.job, "cti-etl-prod");
    // The task metadata says 0.25 vCPU and 512 MiB: two threads; 60% of 512 − 256 − 64 MiB.
    const sizing = sizeRun({}, obs.taskMetadata ?? {}, { availableParallelism: 8, totalMemoryBytes: 16_384 * 2 ** 20 });
    assert.deepEqual(sizing, { workers: 2, memoryBudgetBytes: 115 * 2 ** 20, workersFrom: "task-limits", memoryBudgetFrom: "task-limits" });
    const { summary, load, input } = await transformAndLoad(obs, runId, table);
    const results = await obs.finish({
      status: "succeeded",
      runId,
      startedAt: summary.startedAt,
      finishedAt: summary.finishedAt,
      durationMs: summary.durationMs,
      input,
      counts: summary,
      load,
    });
    assert.ok(results.every((r) => r.ok));

    const lines = parseJsonLines(stderr.text());
    for (const line of lines) {
      assert.equal(line.runId, runId);
      assert.equal(line.taskArn, fargateTaskResponse.TaskARN);
      assert.ok(["debug", "info", "warn", "error"].includes(String(line.level)));
    }
    assert.ok(!stderr.text().includes(routingKey));
    assert.deepEqual(lines.filter((l) => l.msg === "stage finished").map((l) => l.stage), ["transform", "load"]);

    const docs = emfDocuments(lines);
    for (const doc of docs) assert.deepEqual(emfProblems(doc), []);
    const runDoc = docs.find((d) => JSON.stringify((d._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics[0]!.Dimensions) === '[["Job"]]')!;
    assert.equal((runDoc._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0]!.Namespace, METRICS_NAMESPACE);
    assert.equal(runDoc.Job, "cti-etl-prod");
    assert.deepEqual(
      [runDoc.RowsRead, runDoc.RowsClean, runDoc.RowsDuplicate, runDoc.RowsRejected, runDoc.RowsLoaded, runDoc.RowsAlreadyPresent],
      [8, 5, 1, 2, 5, 0],
    );
    assert.deepEqual([runDoc.RunSucceeded, runDoc.RunFailed, runDoc.RunSkipped, runDoc.RunAnomalous], [1, 0, 0, 0]);
    assert.equal(runDoc.RunDuration, summary.durationMs);
    const reasons = docs.filter((d) => "Reason" in d).map((d) => [d.Reason, d.RowsRejected]);
    assert.deepEqual(reasons, [["Field `Key` is required", 1], ["Record is empty", 1]]);
    assert.deepEqual(docs.filter((d) => "Stage" in d).map((d) => d.Stage), ["transform", "load"]);

    assert.equal(stub.requestsTo("/ping/7f3c").length, 1);
    assert.equal(stub.requestsTo("/v2/enqueue")[0]!.json<PagerDutyEvent>().event_action, "resolve");
    const hook = stub.requestsTo("/hooks/cti")[0]!.json<WebhookPayload>();
    assert.deepEqual([hook.status, hook.counts?.rowsRead, hook.load?.loaded, hook.taskArn], ["succeeded", 8, 5, fargateTaskResponse.TaskARN]);

    const report = formatStatusReport(await readRecentRuns(warehouse, "postgres", table, { limit: 10 }));
    assert.match(report, new RegExp(`${runId} +\\S+\\.csv +8 +5 +1 +2 +5 +0 +\\S+ +loaded`));
  });

  it("finishes the run when the metadata endpoint and every notification endpoint are down", async () => {
    const down = await refusedUrl();
    const { obs, stderr } = await observer("20261126T030000Z-obs2", {
      ECS_CONTAINER_METADATA_URI_V4: `${down}/v4/meta`,
      CTI_HEARTBEAT_URL: `${down}/ping`,
      CTI_PAGERDUTY_ROUTING_KEY: routingKey,
      CTI_PAGERDUTY_URL: `${down}/v2/enqueue`,
      CTI_WEBHOOK_URL: `${down}/hooks`,
    });
    assert.equal(obs.taskMetadata, undefined);
    assert.equal(obs.job, "cti-etl");
    const results = await obs.finish({ status: "succeeded", runId: "20261126T030000Z-obs2", startedAt: "2026-11-26T03:00:00.000Z", finishedAt: "2026-11-26T03:00:01.000Z", durationMs: 1000 });
    assert.deepEqual(results.map((r) => r.ok), [false, false, false]);
    const lines = parseJsonLines(stderr.text());
    assert.ok(lines.some((l) => l.level === "warn" && /ECS task metadata unavailable/.test(String(l.msg))));
    assert.equal(lines.filter((l) => l.msg === "notification failed; the run's outcome stands").length, 3);
    assert.equal(emfDocuments(lines).length, 1);
  });

  it("trips the anomaly check on a run far from the ledger's history, fails before the load, and reports it", async () => {
    const table = `obs_anomaly_${++tableSeq}`;
    const db = await sharedPglite();
    const tables = warehouseTables(table);
    await db.exec(ledgerTableDdl("postgres", tables));
    for (let day = 1; day <= 10; day++) {
      const rows = 10_000 + day * 10;
      await db.query(
        `INSERT INTO ${table}_ledger (run_id, input_fingerprint, inputs, rows_read, clean, duplicates, rejected, loaded, already_present, status, started_at, finished_at)
         VALUES ($1, $2, '[]', $3::bigint, $3::bigint - 100, 50, 50, $3::bigint - 100, 0, 'loaded', $4, $5)`,
        [`2026-11-${String(day).padStart(2, "0")}-run`, String(day).padStart(64, "0"), rows, `2026-11-${String(day).padStart(2, "0")}T03:00:00Z`, `2026-11-${String(day).padStart(2, "0")}T03:05:00Z`],
      );
    }
    const runId = "20261126T030000Z-obs3";
    const { obs, stderr } = await observer(runId, env({ CTI_ANOMALY_ACTION: "fail" }));
    const failure = await transformAndLoad(obs, runId, table).then(
      () => assert.fail("the load ran"),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof AnomalousDataError);
    assert.deepEqual(failure.verdict.reasons.map((r) => r.code), ["ROWS_READ_OUT_OF_RANGE", "REJECTED_RATIO_OUT_OF_RANGE"]);
    assert.equal(failure.verdict.historyRuns, 10);
    // Nothing reached the table: the load never ran, so its target was never created.
    await assert.rejects(db.query(`SELECT count(*) FROM ${table}`), /does not exist/);

    const outcome: RunOutcome = {
      status: "failed",
      runId,
      startedAt: "2026-11-26T03:00:00.000Z",
      finishedAt: "2026-11-26T03:00:02.000Z",
      durationMs: 2000,
      failure: runFailure(failure),
    };
    await obs.finish(outcome);
    const lines = parseJsonLines(stderr.text());
    const warning = lines.find((l) => l.msg === "data is anomalous; failing before the load");
    assert.ok(warning);
    assert.equal((warning.reasons as unknown[]).length, 2);
    const runDoc = emfDocuments(lines).find((d) => "RunAnomalous" in d)!;
    assert.deepEqual([runDoc.RunAnomalous, runDoc.RunFailed, runDoc.RunSucceeded], [1, 1, 0]);
    const event = stub.requestsTo("/v2/enqueue")[0]!.json<PagerDutyEvent>();
    assert.equal(event.event_action, "trigger");
    assert.equal(event.payload?.class, "ANOMALOUS_DATA");
    assert.equal((event.payload?.custom_details.anomaly as unknown[]).length, 2);
    assert.equal(stub.requestsTo("/ping/7f3c").length, 0);
  });

  it("logs an anomalous run and loads it anyway when the action is warn", async () => {
    const runId = "20261126T030000Z-obs4";
    const { obs, stderr } = await observer(runId, env({ CTI_ANOMALY_MAX_REJECTED_RATIO: "0.1" }));
    const { load } = await transformAndLoad(obs, runId, `obs_warn_${++tableSeq}`);
    assert.equal(load.outcome, "loaded");
    assert.equal(obs.anomaly?.anomalous, true);
    await obs.finish({ status: "succeeded", runId, startedAt: "2026-11-26T03:00:00.000Z", finishedAt: "2026-11-26T03:00:01.000Z", durationMs: 1000 });
    const lines = parseJsonLines(stderr.text());
    assert.ok(lines.some((l) => l.level === "warn" && l.msg === "data is anomalous; loading anyway (CTI_ANOMALY_ACTION=warn)"));
    assert.equal(emfDocuments(lines).find((d) => "RunAnomalous" in d)!.RunAnomalous, 1);
  });

  it("writes short readable lines instead when stderr is a terminal, leaving the outcome and metrics to the command's summary", async () => {
    const stderr = Object.assign(memorySink(), { isTTY: true });
    const obs = await startRunObserver(observabilityConfig({}), "r-tty", { stderr });
    await obs.finish({ status: "skipped", reason: "the lease is held", runId: "r-tty", startedAt: "2026-11-26T03:00:00.000Z", finishedAt: "2026-11-26T03:00:00.010Z", durationMs: 10 });
    assert.equal(stderr.text(), "");
    obs.logger.warn("the run lease was not released", { outcome: { released: false, reason: "timeout" } });
    assert.match(stderr.text(), /^\d{2}:\d{2}:\d{2} warning: the run lease was not released {2}outcome=\{"released":false,"reason":"timeout"\}\n$/);
    assert.throws(() => parseJsonLines(stderr.text()));
  });
});
