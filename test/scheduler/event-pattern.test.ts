import assert from "node:assert/strict";
import { taskFailurePattern } from "../../scheduler/event-pattern.ts";
import { clusterArn, samples, taskDefinitionArn } from "./support/ecs-task-events.ts";
import { matchesEventPattern } from "./support/event-pattern-matcher.ts";

describe("taskFailurePattern", () => {
  const pattern = taskFailurePattern({ clusterArn, taskDefinitionArn: taskDefinitionArn("cti-etl-dev", 3) });
  // What EventBridge receives: the pattern as JSON text.
  const fires = (event: unknown) => matchesEventPattern(JSON.stringify(pattern), event);

  it("fires when the task stops with a non-zero exit code", () => {
    assert.equal(fires(samples.failure), true);
  });

  it("fires for every non-zero exit: bad input, out of memory, stopped by an operator", () => {
    for (const name of ["badInput", "outOfMemory", "stoppedByOperator"] as const) assert.equal(fires(samples[name]), true, name);
  });

  it("fires when the task fails to start (no exit code at all)", () => {
    assert.equal(fires(samples.failedToStart), true);
  });

  it("stays quiet for a run that succeeded (or skipped because the lease was held: also exit 0)", () => {
    assert.equal(fires(samples.success), false);
  });

  it("stays quiet while the task is still running", () => {
    assert.equal(fires(samples.running), false);
  });

  it("ignores another cluster's failing task", () => {
    assert.equal(fires(samples.anotherClusterFailure), false);
  });

  it("ignores a failing task of another family whose name starts the same", () => {
    assert.equal(fires(samples.anotherFamilyFailure), false);
  });

  it("watches every revision of the family, so a run started before a deploy is still covered", () => {
    assert.equal(fires(samples.earlierRevisionFailure), true);
  });

  it("matches ECS task state change events only", () => {
    const { source, "detail-type": detailType } = pattern as { source: unknown; "detail-type": unknown };
    assert.deepEqual([source, detailType], [["aws.ecs"], ["ECS Task State Change"]]);
    assert.equal(fires({ ...samples.failure, source: "aws.batch" }), false);
  });
});
