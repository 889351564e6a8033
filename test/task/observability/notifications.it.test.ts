import assert from "node:assert/strict";
import { callDeadlineMs } from "../../../task/src/observability/http-retry.ts";
import { Logger } from "../../../task/src/observability/logger.ts";
import { notificationPlan, sendNotifications, type NotificationConfig } from "../../../task/src/observability/notifications.ts";
import type { PagerDutyEvent } from "../../../task/src/observability/pagerduty-event.ts";
import type { WebhookPayload } from "../../../task/src/observability/webhook-payload.ts";
import { refusedUrl, startHttpStub, type HttpStub } from "../../support/http-stub.ts";
import { memorySink, parseJsonLines } from "./support/emf-spec.ts";
import { failed, succeeded } from "./support/outcomes.ts";

const retry = { maxAttempts: 2, attemptTimeoutMs: 300, baseDelayMs: 1, maxDelayMs: 5 };
const routingKey = "R0123456789abcdef0123456789abcde";

describe("sendNotifications (against local endpoints)", () => {
  let stub: HttpStub;
  let config: NotificationConfig;
  before(async () => (stub = await startHttpStub()));
  after(() => stub.stop());
  beforeEach(() => {
    stub.reset();
    stub.route("GET", "/ping/7f3c", { body: "OK" });
    stub.route("POST", "/v2/enqueue", { status: 202, body: { status: "success", message: "Event processed", dedup_key: "cti-etl/j" } });
    stub.route("POST", "/hooks/cti", { status: 204 });
    config = {
      heartbeatUrl: `${stub.url}/ping/7f3c`,
      pagerDuty: { routingKey, severity: "error", url: `${stub.url}/v2/enqueue` },
      webhookUrl: `${stub.url}/hooks/cti`,
      retry,
    };
  });

  const send = async (outcome = succeeded(), overrides: Partial<NotificationConfig> = {}) => {
    const sink = memorySink();
    const logger = new Logger({ sink, format: "json", level: "debug", context: { runId: outcome.runId } });
    const results = await sendNotifications(notificationPlan({ ...config, ...overrides }, outcome, "j", "arn:aws:ecs:us-east-1:1:task/c/t"), retry, { logger });
    return { results, lines: parseJsonLines(sink.text()), text: sink.text() };
  };

  it("after a success: pings the heartbeat, resolves PagerDuty and posts the run to the webhook", async () => {
    const { results } = await send();
    assert.deepEqual(results.map((r) => [r.channel, r.action, r.ok]), [["heartbeat", "ping", true], ["pagerduty", "resolve", true], ["webhook", "succeeded", true]]);
    assert.equal(stub.requestsTo("/ping/7f3c")[0]!.method, "GET");
    assert.deepEqual(stub.requestsTo("/v2/enqueue")[0]!.json(), { routing_key: routingKey, event_action: "resolve", dedup_key: "cti-etl/j" });
    const hook = stub.requestsTo("/hooks/cti")[0]!.json<WebhookPayload>();
    assert.equal(hook.status, "succeeded");
    assert.equal(hook.counts?.rowsRead, 1000);
    assert.equal(hook.load?.loaded, 900);
    assert.equal(hook.taskArn, "arn:aws:ecs:us-east-1:1:task/c/t");
  });

  it("after a failure: triggers PagerDuty with the failure and posts it to the webhook, no heartbeat", async () => {
    await send(failed());
    assert.equal(stub.requestsTo("/ping/7f3c").length, 0);
    const event = stub.requestsTo("/v2/enqueue")[0]!.json<PagerDutyEvent>();
    assert.equal(event.event_action, "trigger");
    assert.equal(event.dedup_key, "cti-etl/j");
    assert.equal(event.payload?.severity, "error");
    assert.equal(event.payload?.class, "BAD_HEADER");
    assert.equal(event.payload?.source, "arn:aws:ecs:us-east-1:1:task/c/t");
    assert.match(event.payload?.summary ?? "", /run 20261126T104512Z-ab12 failed: BAD_HEADER/);
    assert.deepEqual(stub.requestsTo("/hooks/cti")[0]!.json<WebhookPayload>().failure, { code: "BAD_HEADER", message: "the header has no Key column" });
  });

  it("logs a failing or down endpoint as a warning, keeps sending the others, and never throws", async () => {
    stub.route("POST", "/v2/enqueue", { status: 503 });
    const { results, lines, text } = await send(succeeded(), { heartbeatUrl: `${await refusedUrl()}/ping/secret-uuid`, webhookUrl: `${stub.url}/hooks/cti` });
    assert.deepEqual(results.map((r) => [r.channel, r.ok]), [["heartbeat", false], ["pagerduty", false], ["webhook", true]]);
    assert.equal(stub.requestsTo("/v2/enqueue").length, 2);
    const warnings = lines.filter((l) => l.level === "warn");
    assert.deepEqual(warnings.map((w) => w.channel).sort(), ["heartbeat", "pagerduty"]);
    assert.ok(warnings.every((w) => w.msg === "notification failed; the run's outcome stands"));
    // Targets are logged by origin only: the heartbeat's secret path and the routing key never appear.
    assert.ok(!text.includes("secret-uuid"));
    assert.ok(!text.includes(routingKey));
  });

  it("gives up on an endpoint that hangs within its timeout and attempts", async () => {
    stub.route("POST", "/hooks/cti", { delayMs: 10_000 });
    const started = Date.now();
    const { results } = await send(succeeded(), { heartbeatUrl: undefined, pagerDuty: undefined });
    assert.deepEqual(results.map((r) => [r.channel, r.ok, r.attempts]), [["webhook", false, 2]]);
    // Two attempts of 300 ms, each ended by undici's headersTimeout ~1 s in (its timer resolution).
    const elapsed = Date.now() - started;
    assert.ok(elapsed < callDeadlineMs(retry), `${elapsed} ms`);
  });
});
