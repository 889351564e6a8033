import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { taskIamActions } from "../../../task/src/iam-actions.ts";
import {
  DataApiStatements,
  REDSHIFT_WAREHOUSE_ACTIONS,
  resultRowsAt,
  subStatementId,
  type Clock,
  type DataApiSender,
  type StatementBudget,
} from "../../../task/src/load/data-api-statements.ts";

/** Virtual time: sleeping advances it at once, and every wait is recorded. */
function fakeClock(): Clock & { waits: number[]; t: number } {
  const clock = {
    t: 1_000_000,
    waits: [] as number[],
    now: () => clock.t,
    random: () => 0.5,
    sleep: async (ms: number, signal?: AbortSignal) => {
      clock.waits.push(ms);
      if (!signal?.aborted) clock.t += ms;
    },
  };
  return clock;
}

type Handler = (input: Record<string, unknown>) => unknown;

/** A Data API double: answers each command by its name; records what was sent. */
function fakeDataApi(handlers: Record<string, Handler>): DataApiSender & { sent: Array<{ op: string; input: Record<string, unknown> }> } {
  const sent: Array<{ op: string; input: Record<string, unknown> }> = [];
  return {
    sent,
    send: (async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const op = command.constructor.name.replace(/Command$/, "");
      sent.push({ op, input: command.input });
      const handler = handlers[op];
      if (!handler) throw new Error(`unexpected ${op}`);
      return handler(command.input);
    }) as unknown as DataApiSender["send"],
  };
}

const target = { WorkgroupName: "wg", Database: "dev" };
const backoff = { initialMs: 100, maxMs: 1_000 };

function statements(api: DataApiSender, clock: Clock, cancelGraceMs = 5_000) {
  return new DataApiStatements(api, { target, backoff, clock, cancelGraceMs });
}

function budget(clock: Clock, deadlineMs = 60_000, signal?: AbortSignal): StatementBudget {
  return { deadlineAt: clock.now() + deadlineMs, deadlineMs, ...(signal ? { signal } : {}) };
}

/** DescribeStatement answers: the statuses in turn, the last one repeated. */
function statuses(...list: Array<string | Record<string, unknown>>): Handler {
  let i = 0;
  return () => {
    const next = list[Math.min(i++, list.length - 1)]!;
    return typeof next === "string" ? { Id: "s-1", Status: next } : { Id: "s-1", ...next };
  };
}

describe("DataApiStatements", () => {
  it("submits a batch with the target and ClientToken, then polls with growing, capped waits until it finishes", async () => {
    const clock = fakeClock();
    const api = fakeDataApi({
      BatchExecuteStatement: () => ({ Id: "s-1" }),
      DescribeStatement: statuses("SUBMITTED", "PICKED", "STARTED", "STARTED", "STARTED", "STARTED", "STARTED", "FINISHED"),
    });
    const done = await statements(api, clock).batch(["select 1", "select 2"], ["a", "b"], "tok-1", budget(clock));
    assert.equal(done.Status, "FINISHED");
    assert.deepEqual(api.sent[0], { op: "BatchExecuteStatement", input: { ...target, Sqls: ["select 1", "select 2"], ClientToken: "tok-1" } });
    assert.deepEqual(clock.waits, [75, 150, 300, 600, 750, 750, 750]);
  });

  it("turns FAILED into an error naming the failed step and Redshift's message", async () => {
    const clock = fakeClock();
    const api = fakeDataApi({
      BatchExecuteStatement: () => ({ Id: "s-1" }),
      DescribeStatement: statuses({ Status: "FAILED", SubStatements: [{ Status: "FINISHED" }, { Status: "FAILED", Error: "ERROR: boom" }] }),
    });
    await assert.rejects(statements(api, clock).batch(["x", "y"], ["first", "second"], "t", budget(clock)), /statement 2 of 2 \(second\) ended FAILED: ERROR: boom/);
  });

  it("cancels a statement still running at the deadline, waits for it to end, and fails with DEADLINE_EXCEEDED", async () => {
    const clock = fakeClock();
    let cancelled = false;
    const api = fakeDataApi({
      ExecuteStatement: () => ({ Id: "s-1" }),
      DescribeStatement: () => ({ Id: "s-1", Status: cancelled ? "ABORTED" : "STARTED" }),
      CancelStatement: () => {
        cancelled = true;
        return { Status: true };
      },
    });
    const start = clock.now();
    await assert.rejects(
      statements(api, clock).execute("select pg_sleep(1e6)", "sleep", undefined, budget(clock, 2_000)),
      (e: unknown) => e instanceof EtlError && e.code === "DEADLINE_EXCEEDED" && /deadline of 2000 ms; statement s-1 was cancelled \(now ABORTED\)/.test(e.message),
    );
    assert.equal(clock.now() - start, 2_000, "the last wait is cut to the deadline");
    assert.deepEqual(api.sent.filter((s) => s.op === "CancelStatement").map((s) => s.input), [{ Id: "s-1" }]);
  });

  it("returns a statement that finished before the cancel arrived: it committed", async () => {
    const clock = fakeClock();
    let cancelAsked = false;
    const api = fakeDataApi({
      ExecuteStatement: () => ({ Id: "s-1" }),
      DescribeStatement: () => ({ Id: "s-1", Status: cancelAsked ? "FINISHED" : "STARTED" }),
      CancelStatement: () => {
        cancelAsked = true;
        throw Object.assign(new Error("Could not cancel a query that is already in FINISHED state."), { name: "ValidationException" });
      },
    });
    const done = await statements(api, clock).execute("select 1", "q", undefined, budget(clock, 500));
    assert.equal(done.Status, "FINISHED");
  });

  it("gives up waiting after the grace period when the cancel does not land", async () => {
    const clock = fakeClock();
    const api = fakeDataApi({
      ExecuteStatement: () => ({ Id: "s-1" }),
      DescribeStatement: () => ({ Id: "s-1", Status: "STARTED" }),
      CancelStatement: () => ({ Status: true }),
    });
    await assert.rejects(statements(api, clock, 3_000).execute("x", "q", undefined, budget(clock, 1_000)), /now STARTED/);
    assert.ok(clock.now() - 1_000_000 <= 1_000 + 3_000 + backoff.maxMs);
  });

  it("cancels when the caller's signal aborts, and throws its reason", async () => {
    const clock = fakeClock();
    const controller = new AbortController();
    let polls = 0;
    const api = fakeDataApi({
      ExecuteStatement: () => ({ Id: "s-1" }),
      DescribeStatement: () => {
        if (++polls === 2) controller.abort(new EtlError("DEADLINE_EXCEEDED", "the run's deadline"));
        return { Id: "s-1", Status: controller.signal.aborted && polls > 2 ? "ABORTED" : "STARTED" };
      },
      CancelStatement: () => ({ Status: true }),
    });
    await assert.rejects(statements(api, clock).execute("x", "q", undefined, budget(clock, 60_000, controller.signal)), /the run's deadline/);
    assert.ok(api.sent.some((s) => s.op === "CancelStatement"));
  });

  it("submits nothing once the deadline has passed", async () => {
    const clock = fakeClock();
    const api = fakeDataApi({});
    await assert.rejects(statements(api, clock).batch(["x"], ["x"], "t", { deadlineAt: clock.now(), deadlineMs: 0 }), /deadline/);
    assert.deepEqual(api.sent, []);
  });

  it("reads every page of a result", async () => {
    const clock = fakeClock();
    const api = fakeDataApi({
      GetStatementResult: (input) =>
        input.NextToken === undefined
          ? { ColumnMetadata: [{ name: "n" }, { name: "s" }], Records: [[{ longValue: 1 }, { stringValue: "a" }]], NextToken: "p2" }
          : { ColumnMetadata: [{ name: "n" }, { name: "s" }], Records: [[{ longValue: 2 }, { isNull: true }]] },
    });
    assert.deepEqual(await statements(api, clock).rows("s-1:3"), { columns: ["n", "s"], rows: [[1, "a"], [2, null]] });
    assert.deepEqual(api.sent.map((s) => s.input), [{ Id: "s-1:3", NextToken: undefined }, { Id: "s-1:3", NextToken: "p2" }]);
  });
});

describe("resultRowsAt and subStatementId", () => {
  const batch = { Id: "s-1", SubStatements: [{ Id: "s-1:1", ResultRows: 0 }, { Id: "s-1:2", ResultRows: 7 }, { ResultRows: -1 }] };
  it("read a sub-statement's row count and id", () => {
    assert.equal(resultRowsAt(batch as never, 1), 7);
    assert.equal(subStatementId(batch as never, 1), "s-1:2");
    assert.equal(subStatementId(batch as never, 2), "s-1:3");
    assert.equal(resultRowsAt({ Id: "one", ResultRows: 4 } as never, 0), 4);
  });

  it("refuse a missing count (-1)", () => {
    assert.throws(() => resultRowsAt(batch as never, 2), /no row count/);
  });
});

describe("REDSHIFT_WAREHOUSE_ACTIONS", () => {
  it("is a subset of the Data API actions the infra grants the task", () => {
    const granted = new Set<string>(Object.values(taskIamActions.redshiftData).flat());
    for (const action of REDSHIFT_WAREHOUSE_ACTIONS) assert.ok(granted.has(action), action);
  });
});
