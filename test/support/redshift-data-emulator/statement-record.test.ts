import assert from "node:assert/strict";
import { nextShownStatus, setStatus, shownSubStatus, type ShownCursor, type StatementStatus, type SubStatement } from "./statement-record.ts";

/** Statuses shown by `polls` successive DescribeStatement calls while history stays as given. */
function shownOver(history: StatementStatus[], polls: number, pollsPerStatus: number): StatementStatus[] {
  let cursor: ShownCursor = { index: 0, polls: 0 };
  const shown: StatementStatus[] = [];
  for (let i = 0; i < polls; i++) {
    const next = nextShownStatus(history, cursor, pollsPerStatus);
    shown.push(next.status);
    cursor = next.cursor;
  }
  return shown;
}

describe("nextShownStatus", () => {
  it("shows each status the statement went through for one poll each, then stays", () => {
    assert.deepEqual(shownOver(["SUBMITTED", "PICKED", "STARTED", "FINISHED"], 6, 1), [
      "SUBMITTED", "PICKED", "STARTED", "FINISHED", "FINISHED", "FINISHED",
    ]);
  });

  it("shows each status for pollsPerStatus polls", () => {
    assert.deepEqual(shownOver(["SUBMITTED", "PICKED", "STARTED", "FAILED"], 7, 2), [
      "SUBMITTED", "SUBMITTED", "PICKED", "PICKED", "STARTED", "STARTED", "FAILED",
    ]);
  });

  it("never shows a status the statement has not reached", () => {
    assert.deepEqual(shownOver(["SUBMITTED", "PICKED"], 4, 1), ["SUBMITTED", "PICKED", "PICKED", "PICKED"]);
  });

  it("goes straight to ABORTED for a statement cancelled in the queue", () => {
    assert.deepEqual(shownOver(["SUBMITTED", "ABORTED"], 3, 1), ["SUBMITTED", "ABORTED", "ABORTED"]);
  });

  it("shows the actual status at once with pollsPerStatus 0", () => {
    assert.deepEqual(shownOver(["SUBMITTED", "PICKED", "STARTED", "FINISHED"], 1, 0), ["FINISHED"]);
  });
});

describe("shownSubStatus", () => {
  it("never shows a sub-statement ahead of its batch", () => {
    assert.equal(shownSubStatus("FINISHED", "STARTED"), "STARTED");
    assert.equal(shownSubStatus("FAILED", "PICKED"), "PICKED");
    assert.equal(shownSubStatus("SUBMITTED", "STARTED"), "SUBMITTED");
  });

  it("shows a sub-statement's own status once the batch shows its end", () => {
    assert.equal(shownSubStatus("FINISHED", "FAILED"), "FINISHED");
    assert.equal(shownSubStatus("ABORTED", "FAILED"), "ABORTED");
  });
});

describe("setStatus", () => {
  it("records when a statement started and ended", () => {
    const sub = { status: "SUBMITTED", updatedAt: 0 } as SubStatement;
    setStatus(sub, "STARTED", 10);
    setStatus(sub, "FINISHED", 25);
    assert.deepEqual([sub.status, sub.startedAt, sub.endedAt, sub.updatedAt], ["FINISHED", 10, 25, 25]);
  });
});
