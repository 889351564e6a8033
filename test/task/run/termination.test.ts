import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { exitCodeFor } from "../../../task/src/errors.ts";
import { onTermination, stoppedBy } from "../../../task/src/run/termination.ts";

describe("onTermination", () => {
  it("aborts at the first SIGTERM with a STOPPED error that exits 1", () => {
    const source = new EventEmitter();
    const termination = onTermination(source);
    assert.equal(termination.signal.aborted, false);
    source.emit("SIGTERM");
    assert.equal(termination.signal.aborted, true);
    assert.equal((termination.signal.reason as { code?: string }).code, "STOPPED");
    assert.match(String(termination.signal.reason.message), /the task was stopped \(SIGTERM\); work in flight was cancelled/);
    assert.equal(exitCodeFor(stoppedBy("SIGTERM")), 1);
  });

  it("stops listening once disposed, leaving later signals to the process's default", () => {
    const source = new EventEmitter();
    const termination = onTermination(source);
    assert.equal(source.listenerCount("SIGTERM"), 1);
    termination.dispose();
    assert.equal(source.listenerCount("SIGTERM"), 0);
    source.emit("SIGTERM");
    assert.equal(termination.signal.aborted, false);
  });
});
