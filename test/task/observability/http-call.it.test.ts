import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from "undici";
import { sendHttp } from "../../../task/src/observability/http-call.ts";
import { callDeadlineMs, type RetryPolicy } from "../../../task/src/observability/http-retry.ts";
import { refusedUrl, startHttpStub, type HttpStub } from "../../support/http-stub.ts";

const policy: RetryPolicy = { maxAttempts: 3, attemptTimeoutMs: 300, baseDelayMs: 1, maxDelayMs: 20 };

describe("sendHttp (against a local server)", () => {
  let stub: HttpStub;
  before(async () => (stub = await startHttpStub()));
  after(() => stub.stop());
  beforeEach(() => stub.reset());

  it("sends the method, headers and body, and returns the response", async () => {
    stub.route("POST", "/hook", { status: 202, body: { status: "success" } });
    const result = await sendHttp({ method: "POST", url: `${stub.url}/hook`, headers: { "content-type": "application/json" }, body: '{"a":1}' }, policy);
    assert.deepEqual(result, { ok: true, status: 202, body: '{"status":"success"}', attempts: 1 });
    const [request] = stub.requests;
    assert.equal(request!.method, "POST");
    assert.equal(request!.headers["content-type"], "application/json");
    assert.deepEqual(request!.json(), { a: 1 });
  });

  it("retries server errors and succeeds when the server recovers", async () => {
    stub.route("GET", "/ping", { status: 503 }, { status: 500 }, { status: 200, body: "OK" });
    const retries: number[] = [];
    const result = await sendHttp({ method: "GET", url: `${stub.url}/ping` }, policy, { onRetry: (attempt) => retries.push(attempt) });
    assert.deepEqual(result, { ok: true, status: 200, body: "OK", attempts: 3 });
    assert.deepEqual(retries, [1, 2]);
  });

  it("waits as long as Retry-After says, within the cap", async () => {
    stub.route("POST", "/enqueue", { status: 429, headers: { "retry-after": "1" } }, { status: 202 });
    const waits: number[] = [];
    const result = await sendHttp({ method: "POST", url: `${stub.url}/enqueue`, body: "{}" }, policy, { sleep: async (ms) => void waits.push(ms) });
    assert.equal(result.ok, true);
    assert.deepEqual(waits, [20]);
  });

  it("does not retry a client error", async () => {
    stub.route("POST", "/enqueue", { status: 400, body: "Event object is invalid" });
    const result = await sendHttp({ method: "POST", url: `${stub.url}/enqueue`, body: "{}" }, policy);
    assert.deepEqual(result, { ok: false, attempts: 1, status: 400, error: "HTTP 400: Event object is invalid" });
  });

  it("gives up on a server that never answers in time, after every attempt", async () => {
    stub.route("GET", "/slow", { delayMs: 5000 });
    const started = Date.now();
    const result = await sendHttp({ method: "GET", url: `${stub.url}/slow` }, policy);
    const elapsed = Date.now() - started;
    assert.equal(result.ok, false);
    assert.equal(result.attempts, 3);
    assert.equal(stub.requestsTo("/slow").length, 3);
    // Each attempt ended by its own limit (undici's headersTimeout), not by the call's deadline.
    assert.match(!result.ok ? result.error : "", /timed out after 300 ms \(UND_ERR_HEADERS_TIMEOUT\)/);
    // undici's timers fire a 300 ms limit after ~1 s (http-retry.ts, UNDICI_TIMER_SLACK_MS): 3 × ~1 s.
    assert.ok(elapsed < callDeadlineMs(policy), `${elapsed} ms`);
  });

  it("gives up on a server that drops the connection", async () => {
    stub.route("GET", "/drop", { hangUp: true });
    const result = await sendHttp({ method: "GET", url: `${stub.url}/drop` }, policy);
    assert.equal(result.ok, false);
    assert.equal(result.attempts, 3);
    assert.equal(stub.requestsTo("/drop").length, 3);
  });

  it("stops a server that trickles its body forever at the call's deadline", async () => {
    const trickle = await startServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      const timer = setInterval(() => response.write("."), 100);
      response.on("close", () => clearInterval(timer));
    });
    const once: RetryPolicy = { maxAttempts: 1, attemptTimeoutMs: 300, baseDelayMs: 1, maxDelayMs: 1 };
    try {
      const started = Date.now();
      const result = await sendHttp({ method: "GET", url: `${trickle.url}/drip` }, once);
      const elapsed = Date.now() - started;
      assert.deepEqual(result, { ok: false, attempts: 1, error: `the call timed out after ${callDeadlineMs(once)} ms` });
      assert.ok(elapsed >= callDeadlineMs(once) - 50 && elapsed < callDeadlineMs(once) + 500, `${elapsed} ms`);
    } finally {
      await trickle.stop();
    }
  });

  it("does not send a request again once a 2xx has begun, even if its body breaks off", async () => {
    let received = 0;
    const broken = await startServer((request, response) => {
      received += 1;
      request.resume();
      response.writeHead(202, { "content-length": "100" });
      response.write("0123456789", () => response.socket?.destroy());
    });
    try {
      const result = await sendHttp({ method: "POST", url: `${broken.url}/hook`, body: "{}" }, policy);
      assert.equal(result.ok, false);
      assert.equal(result.attempts, 1);
      assert.equal(received, 1);
    } finally {
      await broken.stop();
    }
  });

  it("goes through an undici Agent of its own, whatever the global dispatcher is", async () => {
    // Node's bundled undici may own the global dispatcher; its older handler API rejects the retry handler.
    const global = getGlobalDispatcher();
    const foreign = { dispatch: () => assert.fail("the global dispatcher was used") } as unknown as Dispatcher;
    stub.route("GET", "/ping", { status: 503 }, { status: 200, body: "OK" });
    setGlobalDispatcher(foreign);
    try {
      const result = await sendHttp({ method: "GET", url: `${stub.url}/ping` }, policy);
      assert.deepEqual(result, { ok: true, status: 200, body: "OK", attempts: 2 });
    } finally {
      setGlobalDispatcher(global);
    }
  });

  it("gives up on an endpoint where nothing listens", async () => {
    const result = await sendHttp({ method: "GET", url: `${await refusedUrl()}/x` }, policy);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.error : "", /ECONNREFUSED/);
  });
});

/** A local server with its own handler, for answers the stub cannot script (a trickle, a broken body). */
async function startServer(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; stop: () => Promise<void> }> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
