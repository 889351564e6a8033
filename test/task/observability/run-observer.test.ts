import assert from "node:assert/strict";
import { parseEnvironment } from "../../../task/src/config/environment.ts";
import { observabilityConfig } from "../../../task/src/observability/observability-config.ts";
import { startRunObserver, type StageEvent } from "../../../task/src/observability/run-observer.ts";
import { memorySink, parseJsonLines } from "./support/emf-spec.ts";

const now = () => new Date("2026-11-26T10:45:12.000Z");
const config = (format: "json" | "pretty") => observabilityConfig(parseEnvironment({ CTI_LOG_FORMAT: format, CTI_ANOMALY_HISTORY_RUNS: "0" }));
const succeeded = { status: "succeeded" as const, runId: "r1", startedAt: "2026-11-26T10:45:12.000Z", finishedAt: "2026-11-26T10:45:13.000Z", durationMs: 1000 };

describe("RunObserver.stage", () => {
  it("tells the view when a stage starts and ends, with its result, or that it failed", async () => {
    const events: StageEvent[] = [];
    const obs = await startRunObserver(config("json"), "r1", { stderr: memorySink(), now, onStage: (e) => events.push(e) });
    assert.equal(await obs.stage("transform", async () => 42), 42);
    await assert.rejects(obs.stage("load", async () => Promise.reject(new Error("x"))));
    assert.deepEqual(events, [
      { stage: "transform", phase: "started" },
      { stage: "transform", phase: "finished", durationMs: 0, failed: false, result: 42 },
      { stage: "load", phase: "started" },
      { stage: "load", phase: "finished", durationMs: 0, failed: true },
    ]);
  });

  it("runs the stage even when the view throws", async () => {
    const obs = await startRunObserver(config("json"), "r1", { stderr: memorySink(), now, onStage: () => { throw new Error("view"); } });
    assert.equal(await obs.stage("transform", async () => 1), 1);
  });
});

describe("RunObserver in the JSON and pretty formats", () => {
  it("JSON: logs stages and the outcome at info, then the EMF documents, field names unchanged", async () => {
    const sink = memorySink();
    const obs = await startRunObserver(config("json"), "r1", { stderr: sink, now });
    await obs.stage("transform", async () => 1);
    await obs.finish(succeeded);
    const lines = parseJsonLines(sink.text());
    assert.deepEqual(lines.map((l) => l.msg), ["stage finished", "run succeeded", "metrics", "metrics"]);
    assert.deepEqual([lines[0]!.stage, lines[0]!.durationMs, lines[0]!.runId, lines[1]!.status], ["transform", 0, "r1", "succeeded"]);
    assert.ok(lines.slice(2).every((l) => typeof l._aws === "object"));
  });

  it("pretty: writes nothing a progress view and the readable summary already show, and no EMF document", async () => {
    const sink = memorySink();
    const obs = await startRunObserver(config("pretty"), "r1", { stderr: sink, now });
    await obs.stage("transform", async () => 1);
    await obs.checkAgainstHistory({ rowsRead: 10, rejected: 0 } as never, async () => []);
    await obs.finish(succeeded);
    await obs.finish({ ...succeeded, status: "failed", failure: { code: "X", message: "y" } });
    assert.equal(sink.text(), "");
    obs.logger.warn("slow disk");
    assert.equal(sink.text(), "10:45:12 warning: slow disk\n");
  });
});
