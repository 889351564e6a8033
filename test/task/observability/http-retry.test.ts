import assert from "node:assert/strict";
import fc from "fast-check";
import { callDeadlineMs, isRetryableStatus, retryAfterMs, retryDelayMs, UNDICI_TIMER_SLACK_MS, type RetryPolicy } from "../../../task/src/observability/http-retry.ts";

const policy: RetryPolicy = { maxAttempts: 4, attemptTimeoutMs: 1000, baseDelayMs: 100, maxDelayMs: 1000 };
const half = () => 0.5;

describe("isRetryableStatus", () => {
  it("retries throttling, timeouts and server errors, never other client errors", () => {
    for (const status of [408, 425, 429, 500, 502, 503, 504]) assert.ok(isRetryableStatus(status), String(status));
    for (const status of [200, 301, 400, 401, 403, 404, 413, 422]) assert.ok(!isRetryableStatus(status), String(status));
  });
});

describe("retryDelayMs", () => {
  it("stops after a success", () => {
    assert.equal(retryDelayMs(1, { kind: "response", status: 202 }, policy, half), undefined);
  });

  it("stops after a client error a retry cannot fix", () => {
    assert.equal(retryDelayMs(1, { kind: "response", status: 400 }, policy, half), undefined);
  });

  it("stops after the last attempt", () => {
    assert.equal(retryDelayMs(4, { kind: "error", message: "ECONNREFUSED" }, policy, half), undefined);
  });

  it("backs off exponentially with jitter after network errors and 5xx", () => {
    assert.equal(retryDelayMs(1, { kind: "error", message: "x" }, policy, half), 50);
    assert.equal(retryDelayMs(2, { kind: "response", status: 503 }, policy, half), 100);
    assert.equal(retryDelayMs(3, { kind: "response", status: 503 }, policy, half), 200);
  });

  it("follows Retry-After, capped at the longest backoff", () => {
    assert.equal(retryDelayMs(1, { kind: "response", status: 429, retryAfter: "0" }, policy, half), 0);
    assert.equal(retryDelayMs(1, { kind: "response", status: 429, retryAfter: "120" }, policy, half), 1000);
  });

  it("never waits longer than the longest backoff, nor less than nothing (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), fc.integer({ min: 500, max: 599 }), (attempt, r, status) => {
        const delay = retryDelayMs(attempt, { kind: "response", status }, policy, () => r);
        assert.ok(delay !== undefined && delay >= 0 && delay <= policy.maxDelayMs);
      }),
    );
  });
});

describe("retryAfterMs", () => {
  it("reads delay-seconds and HTTP dates", () => {
    const now = Date.parse("2026-11-26T10:00:00Z");
    assert.equal(retryAfterMs("3", now), 3000);
    assert.equal(retryAfterMs("Thu, 26 Nov 2026 10:00:05 GMT", now), 5000);
    assert.equal(retryAfterMs("Thu, 26 Nov 2026 09:00:00 GMT", now), 0);
    assert.equal(retryAfterMs("soon", now), undefined);
  });
});

describe("callDeadlineMs", () => {
  it("allows every attempt its limit plus undici's timer slack, and every wait its longest", () => {
    assert.equal(callDeadlineMs(policy), 4 * (1000 + UNDICI_TIMER_SLACK_MS) + 3 * 1000);
    assert.equal(callDeadlineMs({ maxAttempts: 3, attemptTimeoutMs: 5000, baseDelayMs: 250, maxDelayMs: 5000 }), 28_000);
  });
});
