import assert from "node:assert/strict";
import { DEFAULT_NOTIFY_RETRY, notificationPlan, type NotificationConfig } from "../../../task/src/observability/notifications.ts";
import { PAGERDUTY_EVENTS_URL } from "../../../task/src/observability/pagerduty-event.ts";
import { failed, skipped, succeeded } from "./support/outcomes.ts";

const all: NotificationConfig = {
  heartbeatUrl: "https://hc-ping.com/uuid",
  pagerDuty: { routingKey: "rk", severity: "critical", url: PAGERDUTY_EVENTS_URL },
  webhookUrl: "https://hooks.example.com/cti",
  retry: DEFAULT_NOTIFY_RETRY,
};
const channels = (config: NotificationConfig, outcome = succeeded()) => notificationPlan(config, outcome, "j").map((n) => `${n.channel}:${n.action}`);

describe("notificationPlan", () => {
  it("pings the heartbeat, resolves PagerDuty and posts the webhook after a success", () => {
    assert.deepEqual(channels(all), ["heartbeat:ping", "pagerduty:resolve", "webhook:succeeded"]);
  });

  it("triggers PagerDuty and posts the webhook after a failure, without a heartbeat", () => {
    assert.deepEqual(channels(all, failed()), ["pagerduty:trigger", "webhook:failed"]);
  });

  it("only posts the webhook for a skipped run", () => {
    assert.deepEqual(channels(all, skipped()), ["webhook:skipped"]);
  });

  it("sends nothing that is not configured", () => {
    assert.deepEqual(channels({ retry: DEFAULT_NOTIFY_RETRY }), []);
    assert.deepEqual(channels({ retry: DEFAULT_NOTIFY_RETRY, webhookUrl: "https://w.example" }, failed()), ["webhook:failed"]);
  });

  it("sends JSON bodies to PagerDuty and the webhook, and a bare GET to the heartbeat", () => {
    const [heartbeat, pagerDuty, webhook] = notificationPlan(all, succeeded(), "j");
    assert.deepEqual([heartbeat!.call.method, heartbeat!.call.body], ["GET", undefined]);
    assert.equal(pagerDuty!.call.url, PAGERDUTY_EVENTS_URL);
    assert.equal(pagerDuty!.call.headers?.["content-type"], "application/json");
    assert.equal((JSON.parse(pagerDuty!.call.body!) as { routing_key: string }).routing_key, "rk");
    assert.equal((JSON.parse(webhook!.call.body!) as { runId: string }).runId, "20261126T104512Z-ab12");
  });
});
