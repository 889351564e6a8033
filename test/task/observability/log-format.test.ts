import assert from "node:assert/strict";
import { buildLogRecord, chooseLogFormat, formatJsonLine, formatReadableLine, MAX_READABLE_VALUE } from "../../../task/src/observability/log-format.ts";

const at = new Date("2026-11-26T10:45:12.345Z");

describe("chooseLogFormat", () => {
  it("writes JSON unless a person watches a terminal, when set to auto", () => {
    assert.equal(chooseLogFormat("auto", false), "json");
    assert.equal(chooseLogFormat("auto", true), "pretty");
  });

  it("obeys an explicit format whatever stderr is", () => {
    assert.equal(chooseLogFormat("json", true), "json");
    assert.equal(chooseLogFormat("pretty", false), "pretty");
  });
});

describe("buildLogRecord", () => {
  it("starts with time, level and message, then the context, then the fields", () => {
    const record = buildLogRecord(at, "info", "stage finished", { runId: "r1", taskArn: "arn:t" }, { stage: "load" });
    assert.deepEqual(Object.keys(record), ["time", "level", "msg", "runId", "taskArn", "stage"]);
    assert.equal(record.time, "2026-11-26T10:45:12.345Z");
  });

  it("does not let a field overwrite the time, level or message", () => {
    const record = buildLogRecord(at, "warn", "m", {}, { level: "debug", time: "x", msg: "forged" });
    assert.equal(record.level, "warn");
    assert.equal(record.msg, "m");
    assert.equal(record.level_, "debug");
    assert.equal(record.msg_, "forged");
  });

  it("leaves out undefined fields", () => {
    assert.ok(!("taskArn" in buildLogRecord(at, "info", "m", { taskArn: undefined })));
  });
});

describe("formatJsonLine", () => {
  it("writes one line of JSON, with secrets masked", () => {
    const line = formatJsonLine(buildLogRecord(at, "error", "load failed", { runId: "r1" }, { url: "postgres://u:p@h/db", password: "x" }));
    assert.ok(line.endsWith("\n"));
    assert.equal(line.indexOf("\n"), line.length - 1);
    const parsed = JSON.parse(line) as Record<string, unknown>;
    assert.equal(parsed.url, "postgres://***@h/db");
    assert.equal(parsed.password, "***");
  });

  it("keeps a message with newlines on one line", () => {
    const line = formatJsonLine(buildLogRecord(at, "info", "a\nb", {}));
    assert.equal(line.split("\n").length, 2);
  });
});

describe("formatReadableLine", () => {
  it("is one short line: UTC time to the second, the message, the fields; no run id, task ARN or job", () => {
    const line = formatReadableLine(buildLogRecord(at, "info", "stage finished", { runId: "r1", taskArn: "arn:t", job: "cti-etl" }, { stage: "load", durationMs: 12, input: "a b" }));
    assert.equal(line, '10:45:12 stage finished  stage=load durationMs=12 input="a b"\n');
  });

  it("names the level of warnings and errors, not of info", () => {
    assert.equal(formatReadableLine(buildLogRecord(at, "warn", "slow", {})), "10:45:12 warning: slow\n");
    assert.equal(formatReadableLine(buildLogRecord(at, "error", "lost", {})), "10:45:12 error: lost\n");
  });

  it("shows an error as its code and message, its stack only when asked (a debug log)", () => {
    const error = Object.assign(new Error("boom"), { code: "LOAD_FAILED" });
    const record = buildLogRecord(at, "error", "run failed", {}, { error });
    assert.equal(formatReadableLine(record), '10:45:12 error: run failed  error="LOAD_FAILED: boom"\n');
    const lines = formatReadableLine(record, { stack: true }).split("\n");
    assert.match(lines[1]!, /^ {4}Error: boom$/);
  });

  it("cuts a long value with an ellipsis, so a record never floods the terminal", () => {
    const line = formatReadableLine(buildLogRecord(at, "info", "m", {}, { counts: { rejectedByReason: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`reason ${i}`, i])) } }));
    const value = line.trimEnd().split("counts=")[1]!;
    assert.equal([...value].length, MAX_READABLE_VALUE);
    assert.ok(value.endsWith("…"));
  });

  it("masks secrets as the JSON format does", () => {
    assert.match(formatReadableLine(buildLogRecord(at, "info", "m", {}, { routing_key: "abc" })), /routing_key=\*\*\*/);
  });
});
