import assert from "node:assert/strict";
import { deadLetterAlarm } from "../../scheduler/dead-letter-alarm.ts";

describe("deadLetterAlarm", () => {
  const alarm = deadLetterAlarm("cti-etl-dev-schedule-dlq");

  it("watches the visible messages of this queue", () => {
    assert.deepEqual([alarm.namespace, alarm.metricName, alarm.dimensions], ["AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: "cti-etl-dev-schedule-dlq" }]);
  });

  it("fires on the first message, within a minute", () => {
    assert.deepEqual(
      [alarm.statistic, alarm.comparisonOperator, alarm.threshold, alarm.period, alarm.evaluationPeriods],
      ["Maximum", "GreaterThanThreshold", 0, 60, 1],
    );
  });

  it("does not fire while an idle queue publishes no data", () => {
    assert.equal(alarm.treatMissingData, "notBreaching");
  });

  it("says what it means", () => {
    assert.match(alarm.alarmDescription, /never started.*cti-etl-dev-schedule-dlq/);
  });
});
