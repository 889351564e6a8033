import * as pulumi from "@pulumi/pulumi";
import { type } from "arktype";
import { scheduleExpressionProblem, timeZoneProblem } from "../scheduler/schedule-expression.ts";
import { scheduleLimits } from "../scheduler/schedule-target.ts";
import type { SECRET_ENV_KEYS } from "../task/src/config/environment.ts";
import { redshiftTaskEnvironment } from "../task/src/config/task-environment.ts";
import { fargateCpuUnits, fargateSizeProblem } from "./fargate-sizing.ts";
import { outputPrefix } from "./storage-layout.ts";

/**
 * CloudWatch Logs accepts only these retention periods (days).
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const logRetentionPeriods = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const integer = () => type("string.integer.parse");

/** A whole number within one of the Scheduler API's {@link scheduleLimits}. */
const limited = (limit: { readonly min: number; readonly max: number }) =>
  integer().to(type("number.integer").narrow((n, ctx) => (n >= limit.min && n <= limit.max) || ctx.reject({ expected: `${limit.min} to ${limit.max}` })));

/** A string checked by one of the scheduler's validators (`undefined`: valid; else the problem). */
const checkedBy = (problemOf: (value: string) => string | undefined) =>
  type("string > 0").narrow((value, ctx) => {
    const problem = problemOf(value);
    return problem === undefined || ctx.reject({ problem });
  });

/** The complete ARN of a Secrets Manager secret (with the six characters AWS appends to its name). */
function secretArn() {
  return type(/^arn:aws[a-z-]*:secretsmanager:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/).describe(
    "the complete ARN of a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)",
  );
}

/**
 * The stack configuration, as Pulumi hands it over (every value a string), keyed as it is set:
 * `pulumi config set <key> <value>`. Parsing turns it into {@link InfraConfig}.
 */
export const infraConfigSchema = type({
  /** AWS region of every resource, e.g. `us-east-1`. Required (the AWS provider reads it too). */
  "aws:region": type(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/).describe("an AWS region code such as us-east-1"),
  /** Task CPU units (1024 = 1 vCPU). Default 1024. Must pair with `taskMemory` (see fargate-sizing.ts). */
  taskCpu: integer().to(type.enumerated(...fargateCpuUnits)).default("1024"),
  /** Task memory, MiB. Default 2048. */
  taskMemory: integer().to("number > 0").default("2048"),
  /** CPU architecture of the task and of the image built for it. Default `ARM64` (Graviton, cheaper). */
  cpuArchitecture: type.enumerated("ARM64", "X86_64").default("ARM64"),
  /** Task ephemeral storage, GiB, 21–200. Default 21 (the Fargate minimum). */
  taskEphemeralStorageGiB: integer().to("21 <= number <= 200").default("21"),
  /**
   * When the scheduled run starts: an EventBridge Scheduler expression, `cron(…)` (six fields),
   * `rate(…)` or `at(…)`, checked field by field. Default `cron(0 3 * * ? *)` (03:00 daily).
   */
  scheduleExpression: checkedBy(scheduleExpressionProblem).default("cron(0 3 * * ? *)"),
  /** IANA time zone the schedule expression is read in, e.g. `Europe/Berlin`. Default `UTC`. */
  scheduleTimeZone: checkedBy(timeZoneProblem).default("UTC"),
  /**
   * Minutes after the scheduled time within which Scheduler may start the run (spreads load);
   * 0 turns the flexible window off. 0–1440. Default 0.
   */
  scheduleFlexibleWindowMinutes: limited(scheduleLimits.flexibleWindowMinutes).default("0"),
  /** Retries of a RunTask call Scheduler could not make (throttling, no capacity), 0–185. Default 3. */
  scheduleRetryAttempts: limited(scheduleLimits.retryAttempts).default("3"),
  /** Seconds after the scheduled time Scheduler keeps retrying before it gives up, 60–86400. Default 3600. */
  scheduleMaxEventAgeSeconds: limited(scheduleLimits.maxEventAgeSeconds).default("3600"),
  /** `true` pauses the schedule (it stays deployed, starts nothing); ad-hoc runs still work. Default `false`. */
  schedulePaused: type.enumerated("true", "false").pipe((value) => value === "true").default("false"),
  /** S3 key prefix the job reads its CSV input from, ending in `/`. Default `input/`. */
  inputPrefix: type(/^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()\/-]*\/$/)
    .describe("an S3 key prefix that ends in / and does not start with / (e.g. input/)")
    .default("input/"),
  /** Days a run's staged parts, rejected rows and summary are kept under the output prefix. Default 14. */
  stagingRetentionDays: integer().to("1 <= number <= 3650").default("14"),
  /** Days a replaced or deleted object version is kept before it expires. Default 30. */
  noncurrentVersionRetentionDays: integer().to("1 <= number <= 3650").default("30"),
  /** Redshift Serverless base capacity, RPUs: 4, or 8–512 in steps of 8. Default 8. */
  redshiftBaseCapacity: integer()
    .to(
      type("number.integer").narrow(
        (n, ctx) =>
          n === 4 || (n >= 8 && n <= 512 && n % 8 === 0) || ctx.reject({ expected: "4, or a multiple of 8 from 8 to 512" }),
      ),
    )
    .default("8"),
  /** Database created in the namespace. Default `cti`. */
  redshiftDatabase: type(/^[a-z_][a-z0-9_$]{0,63}$/)
    .describe("a lower-case Redshift database name (letters, digits, _ and $; at most 64)")
    .default("cti"),
  /** Target table, optionally schema-qualified. Default `public.cti_records`. */
  redshiftTable: type("string > 0").default("public.cti_records"),
  /** Days the task's CloudWatch logs are kept; one of {@link logRetentionPeriods}. Default 30. */
  logRetentionDays: integer().to(type.enumerated(...logRetentionPeriods)).default("30"),
  /**
   * How private subnets reach AWS APIs: `none` (no NAT gateway; VPC endpoints) or `single`
   * (one NAT gateway for the VPC; cheaper with few runs, but one zone). Default `none`.
   */
  natGateway: type.enumerated("none", "single").default("none"),
  /**
   * `true` fans each run out over many Fargate tasks with a Step Functions state machine (plan, one
   * task per shard, commit: scheduler/fan-out.ts); the schedule starts an execution instead of a
   * task. Default `false`: one task per run, as before.
   */
  fanOut: type.enumerated("true", "false").pipe((value) => value === "true").default("false"),
  /** With `fanOut`: shard tasks running at once, 1–10000. Default 20. */
  fanOutMaxConcurrency: integer().to("1 <= number.integer <= 10000").default("20"),
  /** With `fanOut`: attempts of a shard task that fails other than by bad input (exit 2), 1–10. Default 3. */
  fanOutShardAttempts: integer().to("1 <= number.integer <= 10").default("3"),
  /** E-mail address told about failed runs (used by the scheduler). Optional. */
  "alertEmail?": "string.email",
  /**
   * PEM file of extra certificate authorities the image build's `npm ci` trusts (behind a
   * TLS-inspecting proxy), relative to the project folder or absolute. Optional.
   */
  "imageBuildCaFile?": "string > 0",
  /** ARN of a Secrets Manager secret holding the heartbeat URL (`CTI_HEARTBEAT_URL`). Optional. */
  "heartbeatUrlArn?": secretArn(),
  /** ARN of a Secrets Manager secret holding the PagerDuty routing key (`CTI_PAGERDUTY_ROUTING_KEY`). Optional. */
  "pagerDutyRoutingKeyArn?": secretArn(),
  /** ARN of a Secrets Manager secret holding the run-outcome webhook URL (`CTI_WEBHOOK_URL`). Optional. */
  "webhookUrlArn?": secretArn(),
}).onUndeclaredKey("reject");

/** Which task variable each notification secret key fills (the task reads them, see the README's Operations). */
export const notificationSecretKeys = {
  heartbeatUrlArn: "CTI_HEARTBEAT_URL",
  pagerDutyRoutingKeyArn: "CTI_PAGERDUTY_ROUTING_KEY",
  webhookUrlArn: "CTI_WEBHOOK_URL",
} as const satisfies Record<string, (typeof SECRET_ENV_KEYS)[number]>;

/** Raw config: key as set with `pulumi config set`, value as a string. */
export type RawInfraConfig = Record<string, string | undefined>;

/** The validated stack configuration. See {@link infraConfigSchema} for each field's meaning and default. */
export interface InfraConfig {
  /** AWS region, e.g. `us-east-1`. */
  readonly region: string;
  /** Task CPU units (1024 = 1 vCPU). */
  readonly taskCpu: number;
  /** Task memory, MiB. */
  readonly taskMemory: number;
  /** `ARM64` or `X86_64`. */
  readonly cpuArchitecture: "ARM64" | "X86_64";
  /** Ephemeral storage, GiB. */
  readonly taskEphemeralStorageGiB: number;
  /** Schedule expression, e.g. `cron(0 3 * * ? *)`. */
  readonly scheduleExpression: string;
  /** IANA time zone of the schedule. */
  readonly scheduleTimeZone: string;
  /** Flexible window, minutes; 0: off. */
  readonly scheduleFlexibleWindowMinutes: number;
  /** Scheduler's RunTask retries. */
  readonly scheduleRetryAttempts: number;
  /** Seconds Scheduler keeps retrying. */
  readonly scheduleMaxEventAgeSeconds: number;
  /** Whether the schedule is paused. */
  readonly schedulePaused: boolean;
  /** Input key prefix, e.g. `input/`. */
  readonly inputPrefix: string;
  /** Output root key prefix, fixed: see {@link outputPrefix}. */
  readonly outputPrefix: string;
  /** Days staged run output is kept. */
  readonly stagingRetentionDays: number;
  /** Days noncurrent object versions are kept. */
  readonly noncurrentVersionRetentionDays: number;
  /** Redshift Serverless base RPUs. */
  readonly redshiftBaseCapacity: number;
  /** Redshift database. */
  readonly redshiftDatabase: string;
  /** Target table, e.g. `public.cti_records`. */
  readonly redshiftTable: string;
  /** CloudWatch Logs retention, days. */
  readonly logRetentionDays: number;
  /** `none` (VPC endpoints) or `single` (one NAT gateway). */
  readonly natGateway: "none" | "single";
  /** Whether runs fan out over many tasks (Step Functions). */
  readonly fanOut: boolean;
  /** Shard tasks at once, with `fanOut`. */
  readonly fanOutMaxConcurrency: number;
  /** Attempts of a failing shard task, with `fanOut`. */
  readonly fanOutShardAttempts: number;
  /** Alert e-mail, if any. */
  readonly alertEmail?: string;
  /** Extra CA certificates for the image build (a path as configured), if any. */
  readonly imageBuildCaFile?: string;
  /**
   * Task variables filled from Secrets Manager when the task starts, by variable name
   * (`CTI_PAGERDUTY_ROUTING_KEY` → secret ARN); empty when none is configured.
   */
  readonly notificationSecrets: Readonly<Record<string, string>>;
}

/** The result of {@link parseInfraConfig}: data, never thrown. */
export type InfraConfigResult =
  | { readonly ok: true; readonly config: InfraConfig }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Validates raw config (pure). Every problem names the key, the value and what is allowed,
 * e.g. `natGateway must be "none" or "single" (was "double")`.
 */
export function parseInfraConfig(raw: RawInfraConfig): InfraConfigResult {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
  const parsed = infraConfigSchema(defined);
  if (parsed instanceof type.errors) {
    return { ok: false, problems: parsed.map((error) => describeProblem(error, defined)).sort() };
  }
  const config: InfraConfig = {
    region: parsed["aws:region"],
    taskCpu: parsed.taskCpu,
    taskMemory: parsed.taskMemory,
    cpuArchitecture: parsed.cpuArchitecture,
    taskEphemeralStorageGiB: parsed.taskEphemeralStorageGiB,
    scheduleExpression: parsed.scheduleExpression,
    scheduleTimeZone: parsed.scheduleTimeZone,
    scheduleFlexibleWindowMinutes: parsed.scheduleFlexibleWindowMinutes,
    scheduleRetryAttempts: parsed.scheduleRetryAttempts,
    scheduleMaxEventAgeSeconds: parsed.scheduleMaxEventAgeSeconds,
    schedulePaused: parsed.schedulePaused,
    inputPrefix: parsed.inputPrefix,
    outputPrefix,
    stagingRetentionDays: parsed.stagingRetentionDays,
    noncurrentVersionRetentionDays: parsed.noncurrentVersionRetentionDays,
    redshiftBaseCapacity: parsed.redshiftBaseCapacity,
    redshiftDatabase: parsed.redshiftDatabase,
    redshiftTable: parsed.redshiftTable,
    logRetentionDays: parsed.logRetentionDays,
    natGateway: parsed.natGateway,
    fanOut: parsed.fanOut,
    fanOutMaxConcurrency: parsed.fanOutMaxConcurrency,
    fanOutShardAttempts: parsed.fanOutShardAttempts,
    ...(parsed.alertEmail === undefined ? {} : { alertEmail: parsed.alertEmail }),
    ...(parsed.imageBuildCaFile === undefined ? {} : { imageBuildCaFile: parsed.imageBuildCaFile }),
    notificationSecrets: Object.fromEntries(
      Object.entries(notificationSecretKeys).flatMap(([key, variable]) => {
        const arn = parsed[key as keyof typeof notificationSecretKeys];
        return arn === undefined ? [] : [[variable, arn]];
      }),
    ),
  };
  const problems = crossFieldProblems(config);
  return problems.length === 0 ? { ok: true, config } : { ok: false, problems };
}

/**
 * Checks that span keys, or defer to the task's own rules so the two can't disagree. They run
 * once every key is valid on its own.
 */
function crossFieldProblems(config: InfraConfig): string[] {
  const problems: string[] = [];
  const size = fargateSizeProblem(config.taskCpu, config.taskMemory);
  if (size) problems.push(size);
  if (config.inputPrefix.startsWith(config.outputPrefix) || config.outputPrefix.startsWith(config.inputPrefix)) {
    problems.push(
      `inputPrefix must not overlap the output prefix "${config.outputPrefix}" (was "${config.inputPrefix}")`,
    );
  }
  for (const [key, variable] of Object.entries(notificationSecretKeys)) {
    const arn = config.notificationSecrets[variable];
    if (arn === undefined) continue;
    const region = arn.split(":")[3];
    if (region !== config.region) problems.push(`${key} must name a secret in the stack's region ${config.region} (was in ${region})`);
    // The endpoints are on the internet; private subnets without a NAT gateway have no route there.
    if (config.natGateway !== "single") problems.push(`${key} needs natGateway "single": the task reaches ${variable} on the internet (natGateway was "${config.natGateway}")`);
  }
  const table = redshiftTaskEnvironment.pick("CTI_TABLE")({ CTI_TABLE: config.redshiftTable });
  if (table instanceof type.errors) {
    problems.push(
      `redshiftTable must be a lower-case table name, optionally schema-qualified, e.g. public.cti_records (was ${JSON.stringify(config.redshiftTable)})`,
    );
  }
  return problems;
}

function describeProblem(error: type.errors[number], raw: RawInfraConfig): string {
  const key = error.path.map(String).join(".");
  if (error.expected === "removed") {
    return `${key} is not a known setting (was ${JSON.stringify(raw[key])}): remove it or use one of ${knownKeys().join(", ")}`;
  }
  // arktype words some problems with the key in front and some without; normalise to one shape.
  let problem = error.problem.replace(/^value at \[[^\]]*\] /, "");
  if (problem.startsWith(`${key} `)) problem = problem.slice(key.length + 1);
  if (!problem.includes("(was ")) problem += ` (was ${JSON.stringify(error.data)})`;
  return `${key} ${problem}`;
}

/** Every key the stack configuration accepts, as typed with `pulumi config set`. */
export function knownKeys(): string[] {
  return infraConfigSchema.props.map((prop) => String(prop.key));
}

/**
 * Reads this stack's configuration once and validates it. A bad value stops `pulumi up` before
 * any resource is touched, with every problem listed.
 */
export function readInfraConfig(): InfraConfig {
  const project = pulumi.getProject();
  const raw: RawInfraConfig = { "aws:region": new pulumi.Config("aws").get("region") };
  for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (fullKey.startsWith(`${project}:`)) raw[fullKey.slice(project.length + 1)] = value;
  }
  const result = parseInfraConfig(raw);
  if (!result.ok) {
    throw new pulumi.RunError(`Invalid stack configuration:\n  - ${result.problems.join("\n  - ")}`);
  }
  return result.config;
}
