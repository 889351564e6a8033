/**
 * The fan-out state machine's definition (Amazon States Language, JSONPath), pure: plan the run,
 * transform every shard of the plan on its own Fargate task (a Distributed Map over the plan's
 * lines), then commit. The execution's name is the run id.
 *
 * - **Plan** runs `cti-etl plan --run-id <execution name>` (input and output from the task's
 *   `CTI_INPUT`/`CTI_OUTPUT`; an execution whose input names `input` plans that instead),
 *   writing `<output><runId>/plan.jsonl`.
 * - **Shards** reads that file as JSON Lines (`ItemReader`, `InputType: JSONL`) and runs one child
 *   execution per shard (`MaxConcurrency` at once), each `cti-etl shard --plan … --index K` with
 *   `ecs:runTask.sync`. A child whose task exits 2 (bad input: nothing a retry can fix) fails at
 *   once with `CtiEtl.BadInput`; any other failed task (killed, host retired, exit 1) is tried
 *   again with exponential backoff up to `shardAttempts` in all, then fails with
 *   `CtiEtl.ShardFailed`. `.sync` fails a task that stops with a non-zero exit code as
 *   `States.TaskFailed`, its cause the task's description, which the child reads the exit code
 *   from. `ToleratedFailurePercentage` 0: one failed shard fails the map, so Commit never runs,
 *   and a redrive reruns only the failed children.
 * - **Commit** runs `cti-etl commit --plan …`.
 * Calls to ECS that fail (throttled, no capacity, a server error) are retried on every task with
 * backoff and full jitter.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */

/** What the definition is built from. Plain values: ARNs and names resolved by the caller. */
export interface FanOutArgs {
  readonly clusterArn: string;
  /** The task definition revision every task runs (one image for plan, shards and commit). */
  readonly taskDefinitionArn: string;
  /** The container to override the command of. */
  readonly containerName: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  /** The runs' bucket and output prefix (`CTI_OUTPUT` = `s3://<bucket>/<outputPrefix>`, ending in `/`). */
  readonly bucket: string;
  readonly outputPrefix: string;
  /** Shard tasks running at once, 1–10,000 (a Distributed Map's limit). */
  readonly maxConcurrency: number;
  /** Attempts of a shard task that fails other than by bad input, 1–10. */
  readonly shardAttempts: number;
}

/** Errors of the ECS API calls `.sync` makes: retried on every task (not a task that ran and failed). */
export const ECS_CALL_ERRORS = ["ECS.AmazonECSException", "ECS.ServerException", "ECS.LimitExceededException", "AmazonECS.Unknown"] as const;

/** The exit code of bad input (task/src/errors.ts EXIT_BAD_INPUT). */
const EXIT_BAD_INPUT = 2;

const ecsCallRetry = [{ ErrorEquals: [...ECS_CALL_ERRORS], IntervalSeconds: 5, BackoffRate: 2, MaxAttempts: 6, MaxDelaySeconds: 120, JitterStrategy: "FULL" }];

/** The first `Wait` between shard attempts, seconds; doubled each attempt. */
const SHARD_RETRY_BASE_SECONDS = 30;

export function fanOutDefinition(args: FanOutArgs): Record<string, unknown> {
  if (args.subnetIds.length === 0) throw new Error("the fan-out needs at least one subnet");
  if (!Number.isInteger(args.maxConcurrency) || args.maxConcurrency < 1 || args.maxConcurrency > 10_000) throw new Error(`maxConcurrency must be a whole number from 1 to 10000 (was ${args.maxConcurrency})`);
  if (!Number.isInteger(args.shardAttempts) || args.shardAttempts < 1 || args.shardAttempts > 10) throw new Error(`shardAttempts must be a whole number from 1 to 10 (was ${args.shardAttempts})`);
  if (args.outputPrefix !== "" && !args.outputPrefix.endsWith("/")) throw new Error(`the output prefix must end with "/" (was ${JSON.stringify(args.outputPrefix)})`);
  const runTask = (command: string) => ({
    Type: "Task",
    Resource: "arn:aws:states:::ecs:runTask.sync",
    Parameters: {
      Cluster: args.clusterArn,
      TaskDefinition: args.taskDefinitionArn,
      LaunchType: "FARGATE",
      NetworkConfiguration: { AwsvpcConfiguration: { Subnets: [...args.subnetIds], SecurityGroups: [args.securityGroupId], AssignPublicIp: "DISABLED" } },
      PropagateTags: "TASK_DEFINITION",
      EnableECSManagedTags: true,
      Overrides: { ContainerOverrides: [{ Name: args.containerName, "Command.$": command }] },
    },
    ResultPath: null,
    Retry: ecsCallRetry,
  });
  const planKey = `States.Format('${args.outputPrefix}{}/plan.jsonl', $$.Execution.Name)`;
  const planUri = `States.Format('s3://${args.bucket}/${args.outputPrefix}{}/plan.jsonl', $$.Execution.Name)`;
  return {
    Comment: "cti-etl fan-out: plan, one Fargate task per shard, commit. The execution name is the run id.",
    StartAt: "Run",
    States: {
      // An ad-hoc execution may name its input (`{"input": "s3://…"}`); a scheduled one plans CTI_INPUT.
      Run: {
        Type: "Choice",
        Choices: [{ Variable: "$.input", IsPresent: true, Next: "RunOnInput" }],
        Default: "RunOnTaskInput",
      },
      RunOnInput: { Type: "Pass", Parameters: { "runId.$": "$$.Execution.Name", "plan.$": planUri, "input.$": "$.input" }, Next: "PlanInput" },
      RunOnTaskInput: { Type: "Pass", Parameters: { "runId.$": "$$.Execution.Name", "plan.$": planUri }, Next: "Plan" },
      PlanInput: { ...runTask("States.Array('plan', '--run-id', $.runId, '--input', $.input)"), Next: "Shards" },
      Plan: { ...runTask("States.Array('plan', '--run-id', $.runId)"), Next: "Shards" },
      Shards: {
        Type: "Map",
        ItemReader: { Resource: "arn:aws:states:::s3:getObject", ReaderConfig: { InputType: "JSONL" }, Parameters: { Bucket: args.bucket, "Key.$": planKey } },
        ItemSelector: { "plan.$": "$.plan", "index.$": "$$.Map.Item.Value.index", attempt: 1, waitSeconds: SHARD_RETRY_BASE_SECONDS },
        ItemProcessor: {
          ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
          StartAt: "Shard",
          States: {
            Shard: {
              ...runTask("States.Array('shard', '--plan', $.plan, '--index', States.Format('{}', $.index))"),
              Catch: [{ ErrorEquals: ["States.TaskFailed"], ResultPath: "$.failure", Next: "ReadExit" }],
              End: true,
            },
            // The failed task's description, from the error's cause.
            ReadExit: {
              Type: "Pass",
              Parameters: { "plan.$": "$.plan", "index.$": "$.index", "attempt.$": "$.attempt", "waitSeconds.$": "$.waitSeconds", "task.$": "States.StringToJson($.failure.Cause)" },
              Next: "Retry?",
            },
            "Retry?": {
              Type: "Choice",
              Choices: [
                {
                  And: [
                    { Variable: "$.task.Containers[0].ExitCode", IsPresent: true },
                    { Variable: "$.task.Containers[0].ExitCode", NumericEquals: EXIT_BAD_INPUT },
                  ],
                  Next: "BadInput",
                },
                { Variable: "$.attempt", NumericLessThan: args.shardAttempts, Next: "Backoff" },
              ],
              Default: "ShardFailed",
            },
            Backoff: { Type: "Wait", SecondsPath: "$.waitSeconds", Next: "NextAttempt" },
            NextAttempt: {
              Type: "Pass",
              Parameters: { "plan.$": "$.plan", "index.$": "$.index", "attempt.$": "States.MathAdd($.attempt, 1)", "waitSeconds.$": "States.MathAdd($.waitSeconds, $.waitSeconds)" },
              Next: "Shard",
            },
            BadInput: { Type: "Fail", Error: "CtiEtl.BadInput", Cause: "the shard's task exited 2 (bad input): see its log; fix the input or the plan, then redrive" },
            ShardFailed: { Type: "Fail", Error: "CtiEtl.ShardFailed", Cause: `the shard's task failed ${args.shardAttempts} time(s): see its log, then redrive` },
          },
        },
        MaxConcurrency: args.maxConcurrency,
        ToleratedFailurePercentage: 0,
        ResultWriter: { Resource: "arn:aws:states:::s3:putObject", Parameters: { Bucket: args.bucket, Prefix: `${args.outputPrefix}_map-results` } },
        ResultPath: null,
        Next: "Commit",
      },
      Commit: { ...runTask("States.Array('commit', '--plan', $.plan)"), End: true },
    },
  };
}

/**
 * What the project requires of a fan-out definition that `asl-validator` does not check: a
 * Distributed Map's Express children cannot wait for a task (`.sync` needs Standard), its
 * `ToleratedFailurePercentage` is 0–100 (fractions allowed) and its `MaxConcurrency` 0–10,000.
 * Empty when none is broken. Pure.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
 */
export function fanOutProblems(definition: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const visit = (states: Record<string, Record<string, unknown>>, where: string) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== "Map") continue;
      const processor = (state.ItemProcessor ?? state.Iterator) as { ProcessorConfig?: { Mode?: string; ExecutionType?: string }; States?: Record<string, Record<string, unknown>> } | undefined;
      const distributed = processor?.ProcessorConfig?.Mode === "DISTRIBUTED";
      const tolerated = state.ToleratedFailurePercentage;
      if (tolerated !== undefined && (typeof tolerated !== "number" || tolerated < 0 || tolerated > 100)) problems.push(`${where}${name}: ToleratedFailurePercentage must be a number from 0 to 100 (was ${JSON.stringify(tolerated)})`);
      const concurrency = state.MaxConcurrency;
      if (concurrency !== undefined && (!Number.isInteger(concurrency) || (concurrency as number) < 0 || (concurrency as number) > (distributed ? 10_000 : 40))) {
        problems.push(`${where}${name}: MaxConcurrency must be a whole number from 0 to ${distributed ? "10000" : "40"} (was ${JSON.stringify(concurrency)})`);
      }
      const children = processor?.States ?? {};
      if (distributed && processor?.ProcessorConfig?.ExecutionType === "EXPRESS") {
        for (const [child, s] of Object.entries(children)) {
          if (typeof s.Resource === "string" && s.Resource.endsWith(".sync")) problems.push(`${where}${name}/${child}: an Express child execution cannot use ${s.Resource} (.sync needs Standard)`);
        }
      }
      visit(children, `${where}${name}/`);
    }
  };
  visit((definition.States ?? {}) as Record<string, Record<string, unknown>>, "");
  return problems;
}
