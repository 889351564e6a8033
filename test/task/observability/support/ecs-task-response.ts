/** A Fargate `/task` response, shaped like the documented example. */
export const fargateTaskResponse = {
  Cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/cti-etl-prod",
  TaskARN: "arn:aws:ecs:us-east-1:123456789012:task/cti-etl-prod/0123456789abcdef0123456789abcdef",
  Family: "cti-etl-prod",
  Revision: "7",
  DesiredStatus: "RUNNING",
  KnownStatus: "RUNNING",
  Limits: { CPU: 0.25, Memory: 512 },
  PullStartedAt: "2026-11-26T10:44:01.1Z",
  AvailabilityZone: "us-east-1a",
  LaunchType: "FARGATE",
  Containers: [{ Name: "etl", Limits: { CPU: 2, Memory: 0 } }],
  ClockDrift: { ClockErrorBound: 0.5 },
};
