/**
 * Physical names of the resources that people type or read (cluster, task family, log group,
 * Redshift namespace and workgroup), derived from the project and stack so two stacks in one
 * account never collide.
 */

/** Names derived from one project/stack pair. */
export interface ResourceNames {
  /** `<project>-<stack>`, lower case, e.g. `cti-etl-dev`. Prefix of every other name. */
  readonly base: string;
  /** ECS cluster name. */
  readonly cluster: string;
  /** Task definition family (the name `aws ecs run-task --task-definition` takes). */
  readonly taskFamily: string;
  /** CloudWatch Logs group of the task, e.g. `/cti-etl/dev/task`. */
  readonly logGroup: string;
  /** Redshift Serverless namespace (3–64 chars, `[a-z0-9-]`). */
  readonly namespace: string;
  /** Redshift Serverless workgroup (3–64 chars, `[a-z0-9-]`). */
  readonly workgroup: string;
  /** Name of the one container in the task definition (used by `--overrides`). */
  readonly container: string;
}

/** One physical name made from the base: `<base><suffix>`, and the most characters AWS allows it. */
export interface DerivedName {
  /** What carries the name, e.g. `EventBridge rule (failed runs)`. */
  readonly resource: string;
  /** What the module appends to the base, e.g. `-failed-run`; `""` for the base itself. */
  readonly suffix: string;
  /** AWS's length limit of that name, characters. */
  readonly maxLength: number;
  /** The AWS API reference page that states the limit. */
  readonly doc: string;
}

const api = (path: string) => `https://docs.aws.amazon.com/${path}`;

/**
 * Every physical name any module derives from the base, with AWS's limit. The one place the
 * longest allowed base comes from ({@link maxBaseLength}); a module that appends a new suffix
 * adds it here (test/infra/naming.test.ts fails for a name under mocks that is not listed).
 */
export const derivedNames: readonly DerivedName[] = [
  { resource: "ECS cluster", suffix: "", maxLength: 255, doc: api("AmazonECS/latest/APIReference/API_CreateCluster.html") },
  { resource: "ECS task definition family", suffix: "", maxLength: 255, doc: api("AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html") },
  { resource: "Redshift Serverless namespace", suffix: "-ns", maxLength: 64, doc: api("redshift-serverless/latest/APIReference/API_CreateNamespace.html") },
  { resource: "Redshift Serverless workgroup", suffix: "-wg", maxLength: 64, doc: api("redshift-serverless/latest/APIReference/API_CreateWorkgroup.html") },
  { resource: "EventBridge Scheduler schedule group", suffix: "", maxLength: 64, doc: api("scheduler/latest/APIReference/API_CreateScheduleGroup.html") },
  { resource: "EventBridge Scheduler schedule", suffix: "", maxLength: 64, doc: api("scheduler/latest/APIReference/API_CreateSchedule.html") },
  { resource: "SQS queue (schedule dead letters)", suffix: "-schedule-dlq", maxLength: 80, doc: api("AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html") },
  { resource: "SNS topic (alerts)", suffix: "-alerts", maxLength: 256, doc: api("sns/latest/api/API_CreateTopic.html") },
  { resource: "EventBridge rule (failed runs)", suffix: "-failed-run", maxLength: 64, doc: api("eventbridge/latest/APIReference/API_PutRule.html") },
  ...["-run-never-started", "-rejected-ratio", "-anomalous-run", "-no-recent-success"].map((suffix) => ({
    resource: "CloudWatch alarm",
    suffix,
    maxLength: 255,
    doc: api("AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"),
  })),
  { resource: "CloudWatch dashboard", suffix: "", maxLength: 255, doc: api("AmazonCloudWatch/latest/APIReference/API_PutDashboard.html") },
];

/**
 * Longest base every {@link derivedNames} entry still fits with: the tightest limit less its
 * suffix (today the EventBridge rule: 64 − `-failed-run`, 53 characters).
 */
export const maxBaseLength = Math.min(...derivedNames.map((name) => name.maxLength - name.suffix.length));

/**
 * Derives {@link ResourceNames}. Stack names may contain characters Redshift and ECS refuse
 * (`_`, `.`, upper case); they become `-`, and the base is cut to {@link maxBaseLength}
 * characters so every suffix a module appends fits that name's AWS limit.
 */
export function resourceNames(project: string, stack: string): ResourceNames {
  const base = `${project}-${stack}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, maxBaseLength)
    .replace(/-+$/, "");
  const stackPath = stack.toLowerCase().replace(/[^a-z0-9_.-]+/g, "-");
  return {
    base,
    cluster: base,
    taskFamily: base,
    logGroup: `/${project}/${stackPath}/task`,
    namespace: `${base}-ns`,
    workgroup: `${base}-wg`,
    container: "etl",
  };
}
