import assert from "node:assert/strict";
import { MockAgent } from "undici";
import { sendHttp } from "../../../task/src/observability/http-call.ts";
import type { AttemptOutcome, RetryPolicy } from "../../../task/src/observability/http-retry.ts";

const policy: RetryPolicy = { maxAttempts: 3, attemptTimeoutMs: 300, baseDelayMs: 10, maxDelayMs: 50 };
const origin = "https://events.example";

describe("sendHttp (over undici's MockAgent)", () => {
  let agent: MockAgent;
  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
  });
  afterEach(() => agent.close());

  const send = (deps: Parameters<typeof sendHttp>[2] = {}) =>
    sendHttp({ method: "POST", url: `${origin}/v2/enqueue`, body: "{}" }, policy, { dispatcher: agent, random: () => 0.5, ...deps });

  it("retries a 503 and a 429 once each, waiting as the policy says, and counts every attempt", async () => {
    const pool = agent.get(origin);
    pool.intercept({ path: "/v2/enqueue", method: "POST", body: "{}" }).reply(503, "busy");
    pool.intercept({ path: "/v2/enqueue", method: "POST", body: "{}" }).reply(429, "slow down", { headers: { "retry-after": "7" } });
    pool.intercept({ path: "/v2/enqueue", method: "POST", body: "{}" }).reply(202, { status: "success" });
    const waits: number[] = [];
    const retries: [number, AttemptOutcome, number][] = [];
    const result = await send({ sleep: async (ms) => void waits.push(ms), onRetry: (...retry) => retries.push(retry) });
    assert.deepEqual(result, { ok: true, status: 202, body: '{"status":"success"}', attempts: 3 });
    // MockAgent ignores pausing: one decision per failed attempt proves no failed body leaked through.
    assert.deepEqual(retries, [
      [1, { kind: "response", status: 503 }, 5],
      [2, { kind: "response", status: 429, retryAfter: "7" }, 50],
    ]);
    assert.deepEqual(waits, [5, 50]);
    agent.assertNoPendingInterceptors();
  });

  it("returns the last response's status and body once the attempts are spent", async () => {
    agent.get(origin).intercept({ path: "/v2/enqueue", method: "POST" }).reply(500, "down").times(3);
    const result = await send({ sleep: async () => {} });
    assert.deepEqual(result, { ok: false, attempts: 3, status: 500, error: "HTTP 500: down" });
    agent.assertNoPendingInterceptors();
  });

  it("retries an error and does not retry a client error", async () => {
    const pool = agent.get(origin);
    pool.intercept({ path: "/v2/enqueue", method: "POST" }).replyWithError(new Error("socket hang up"));
    pool.intercept({ path: "/v2/enqueue", method: "POST" }).reply(400, "Event object is invalid");
    const result = await send({ sleep: async () => {} });
    assert.deepEqual(result, { ok: false, attempts: 2, status: 400, error: "HTTP 400: Event object is invalid" });
    agent.assertNoPendingInterceptors();
  });
});
