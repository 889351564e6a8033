/**
 * The alarm on the schedule's dead-letter queue (pure). Scheduler puts a message there only
 * when it gave up starting a run (RunTask refused, retries and event age exhausted), so any
 * visible message means a scheduled run never started.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
 */

/** The alarm's arguments, in the shape of `aws.cloudwatch.MetricAlarm`. */
export interface DeadLetterAlarmSettings {
  readonly namespace: "AWS/SQS";
  readonly metricName: "ApproximateNumberOfMessagesVisible";
  readonly dimensions: { readonly QueueName: string };
  readonly statistic: "Maximum";
  /** Seconds; SQS publishes its metrics every minute. */
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly threshold: number;
  readonly comparisonOperator: "GreaterThanThreshold";
  /** An empty queue publishes nothing while idle: no data is not a problem. */
  readonly treatMissingData: "notBreaching";
  readonly alarmDescription: string;
}

/**
 * Alarm when the queue holds at least one message, within a minute of it arriving. The alarm
 * stays in ALARM until the queue is emptied (see the README, "Alerts": read, then purge).
 */
export function deadLetterAlarm(queueName: string): DeadLetterAlarmSettings {
  return {
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: queueName },
    statistic: "Maximum",
    period: 60,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    alarmDescription: `A scheduled cti-etl run was never started: EventBridge Scheduler gave up and left the reason in ${queueName}.`,
  };
}
