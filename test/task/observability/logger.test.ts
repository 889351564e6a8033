import assert from "node:assert/strict";
import { Logger } from "../../../task/src/observability/logger.ts";
import { memorySink, parseJsonLines } from "./support/emf-spec.ts";

const now = () => new Date("2026-11-26T10:45:12.000Z");

describe("Logger", () => {
  it("writes one JSON object per line with the level, the run id and the task ARN", () => {
    const sink = memorySink();
    const logger = new Logger({ sink, format: "json", context: { runId: "r1" }, now }).child({ taskArn: "arn:aws:ecs:us-east-1:1:task/c/t" });
    logger.info("started", { input: "s3://in/" });
    logger.error("failed", { code: "BAD_HEADER" });
    const lines = parseJsonLines(sink.text());
    assert.equal(lines.length, 2);
    for (const line of lines) {
      assert.equal(line.runId, "r1");
      assert.equal(line.taskArn, "arn:aws:ecs:us-east-1:1:task/c/t");
      assert.equal(line.time, "2026-11-26T10:45:12.000Z");
    }
    assert.deepEqual(lines.map((l) => [l.level, l.msg]), [["info", "started"], ["error", "failed"]]);
  });

  it("drops records below its level", () => {
    const sink = memorySink();
    const logger = new Logger({ sink, format: "json", level: "warn", now });
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    assert.deepEqual(parseJsonLines(sink.text()).map((l) => l.msg), ["w"]);
    assert.equal(logger.enabled("error"), true);
    assert.equal(logger.enabled("info"), false);
  });

  it("writes metrics documents whatever its level, with its context", () => {
    const sink = memorySink();
    new Logger({ sink, format: "json", level: "error", context: { runId: "r1" }, now }).metrics({ _aws: { Timestamp: 1, CloudWatchMetrics: [] }, Job: "j", RowsRead: 3 });
    const [line] = parseJsonLines(sink.text());
    assert.equal(line!.runId, "r1");
    assert.equal(line!.RowsRead, 3);
    assert.equal(line!.level, "info");
  });

  it("writes readable lines in the pretty format", () => {
    const sink = memorySink();
    new Logger({ sink, format: "pretty", context: { runId: "r1" }, now }).warn("slow", { ms: 5 });
    assert.equal(sink.text(), "10:45:12 warning: slow  ms=5\n");
  });

  it("writes no metrics documents in the pretty format: they are for CloudWatch", () => {
    const sink = memorySink();
    new Logger({ sink, format: "pretty", context: { runId: "r1" }, now }).metrics({ _aws: { Timestamp: 1, CloudWatchMetrics: [] }, Job: "j", RowsRead: 3 });
    assert.equal(sink.text(), "");
  });

  it("prints an error's stack in the pretty format only at the debug level", () => {
    const quiet = memorySink();
    const loud = memorySink();
    new Logger({ sink: quiet, format: "pretty", now }).error("x", { error: new Error("boom") });
    new Logger({ sink: loud, format: "pretty", level: "debug", now }).error("x", { error: new Error("boom") });
    assert.equal(quiet.text(), "10:45:12 error: x  error=boom\n");
    assert.match(loud.text(), /^10:45:12 error: x {2}error=boom\n {4}Error: boom\n/);
  });

  it("never throws when its sink does", () => {
    const logger = new Logger({ sink: { write: () => { throw new Error("EPIPE"); } }, format: "json", now });
    assert.doesNotThrow(() => logger.error("x"));
  });

  it("keeps a child's context apart from its parent's", () => {
    const sink = memorySink();
    const parent = new Logger({ sink, format: "json", context: { runId: "r1" }, now });
    parent.child({ taskArn: "t" });
    parent.info("m");
    assert.ok(!("taskArn" in parseJsonLines(sink.text())[0]!));
  });
});
