import assert from "node:assert/strict";
import { failureNotification } from "../../scheduler/failure-notification.ts";
import { samples } from "./support/ecs-task-events.ts";

/** Reads `$.a.b[0].c` from an event, as EventBridge resolves input paths. */
function valueAt(event: unknown, path: string): unknown {
  let value: unknown = event;
  for (const step of path.replace(/^\$\./, "").split(".")) {
    const [, key, index] = /^([^[]+)(?:\[(\d+)\])?$/.exec(step)!;
    value = (value as Record<string, unknown> | undefined)?.[key!];
    if (index !== undefined) value = (value as unknown[] | undefined)?.[Number(index)];
  }
  return value;
}

/** The message EventBridge would send: placeholders replaced by the values, missing ones by nothing. */
function render(template: string, paths: Readonly<Record<string, string>>, event: unknown): string {
  const text = JSON.parse(template) as string;
  return text.replace(/<(\w+)>/g, (_, name: string) => {
    const value = valueAt(event, paths[name]!);
    return value === undefined ? "" : String(value);
  });
}

describe("failureNotification", () => {
  const { inputPaths, inputTemplate } = failureNotification({ stack: "cti-etl/dev", logGroupName: "/cti-etl/dev/task", region: "us-east-1" });

  it("defines every placeholder the template uses, and uses every path it defines", () => {
    const used = [...inputTemplate.matchAll(/<(\w+)>/g)].map((m) => m[1]!).sort();
    assert.deepEqual([...new Set(used)], Object.keys(inputPaths).sort());
  });

  it("stays within EventBridge's limit of 100 input paths", () => {
    assert.ok(Object.keys(inputPaths).length <= 100);
  });

  it("is one JSON string, so SNS sends plain text", () => {
    assert.equal(typeof JSON.parse(inputTemplate), "string");
  });

  it("names the task, the stop reason, the exit code and how to read the logs", () => {
    const message = render(inputTemplate, inputPaths, samples.failure);
    assert.match(message, /^cti-etl run failed \(cti-etl\/dev\)\. Task arn:aws:ecs:us-east-1:123456789012:task\/cti-etl-dev\/\w+ \(arn:aws:ecs:[^)]+:task-definition\/cti-etl-dev:3\)/);
    assert.match(message, /EssentialContainerExited, Essential container in task exited/);
    assert.match(message, /Container exit code: 1 /);
    assert.match(message, /aws logs tail \/cti-etl\/dev\/task --region us-east-1/);
  });

  it("reads every path from a failed-to-start event except the exit code, which it has none of", () => {
    const missing = Object.entries(inputPaths).filter(([, path]) => valueAt(samples.failedToStart, path) === undefined).map(([name]) => name);
    assert.deepEqual(missing, ["exitCode"]);
    assert.match(render(inputTemplate, inputPaths, samples.failedToStart), /TaskFailedToStart, CannotPullContainerError/);
  });
});
