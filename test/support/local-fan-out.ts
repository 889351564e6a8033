/**
 * Runs the fan-out state machine (scheduler/fan-out-definition.ts) here, with
 * aws-local-stepfunctions: its Distributed Map rewritten as an inline Map over the plan's lines
 * (aws-local-stepfunctions has no ItemReader: a Task state before it reads plan.jsonl from S3,
 * as the ItemReader would), and every ECS task state handled by starting the real `cti-etl`
 * command with the container's command override and the task's environment. A task that exits
 * non-zero fails its state as `.sync` does: `States.TaskFailed`, the task's description as the
 * cause. The ECS control plane is the one thing simulated.
 */
import "./promise-with-resolvers.ts";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { ExecutionError, StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import { constants } from "node:os";
import { finished, spawnTracked, type CommandResult } from "./processes.ts";
import { CLI } from "./cli.ts";

type State = Record<string, unknown>;

/** The definition with its Distributed Map inline over `$.items`, read by a `ReadPlan` task first. */
export function inlineFanOut(definition: Record<string, unknown>): StateMachineDefinition {
  const copy = structuredClone(definition) as { States: Record<string, State> };
  const map = copy.States.Shards!;
  const reader = map.ItemReader as { Parameters: Record<string, string> };
  delete map.ItemReader;
  delete map.ResultWriter;
  delete map.ToleratedFailurePercentage;
  map.ItemsPath = "$.items";
  (map.ItemProcessor as { ProcessorConfig: unknown }).ProcessorConfig = { Mode: "INLINE" };
  copy.States.ReadPlan = { Type: "Task", Resource: "arn:aws:states:::s3:getObject", Parameters: reader.Parameters, ResultSelector: { "lines.$": "$.lines" }, ResultPath: "$.read", Next: "Items" };
  copy.States.Items = { Type: "Pass", Parameters: { "runId.$": "$.runId", "plan.$": "$.plan", "items.$": "$.read.lines" }, Next: "Shards" };
  copy.States.Plan!.Next = "ReadPlan";
  copy.States.PlanInput!.Next = "ReadPlan";
  return copy as unknown as StateMachineDefinition;
}

/** One ECS task the execution ran: its command and how it ended. */
export interface TaskRun {
  command: string[];
  result: CommandResult;
  exitCode: number;
}

export interface LocalFanOutOptions {
  definition: Record<string, unknown>;
  /** The execution's name: the run id. */
  name: string;
  /** The task's environment (as the task definition sets it). */
  env: NodeJS.ProcessEnv;
  s3: S3Client;
  /** The execution's input. Default `{}` (as the schedule starts it). */
  input?: Record<string, unknown>;
  /** Called as each task starts; may kill it (`child.kill`) to play a task stopped midway. */
  onTaskStart?: (command: string[], child: import("node:child_process").ChildProcess) => void;
}


/** Runs one execution; resolves with every task it ran and the execution's error, if it failed. */
export async function runLocalFanOut(options: LocalFanOutOptions): Promise<{ tasks: TaskRun[]; error?: { name: string; message: string } }> {
  const tasks: TaskRun[] = [];
  const runTask = async (input: unknown) => {
    const command = (input as { Overrides: { ContainerOverrides: { Command: string[] }[] } }).Overrides.ContainerOverrides[0]!.Command;
    const child = spawnTracked(process.execPath, [CLI, ...command], { env: options.env });
    options.onTaskStart?.(command, child);
    const result = await finished(child);
    // What ECS reports: the exit code, or 128 + the signal's number for a killed container.
    const exitCode = result.code ?? 128 + (constants.signals[result.signal as keyof typeof constants.signals] ?? 0);
    tasks.push({ command, result, exitCode });
    if (exitCode !== 0) {
      throw Object.assign(new Error(JSON.stringify({ StopCode: "EssentialContainerExited", Containers: [{ Name: "cti-etl", ExitCode: exitCode }] })), { name: "States.TaskFailed" });
    }
    return { Containers: [{ Name: "cti-etl", ExitCode: 0 }] };
  };
  const readPlan = async (input: unknown) => {
    const { Bucket, Key } = input as { Bucket: string; Key: string };
    const body = await (await options.s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();
    return { lines: body.trim().split("\n").map((line) => JSON.parse(line)) };
  };
  const machine = new StateMachine(inlineFanOut(options.definition), { validationOptions: { checkArn: false, checkPaths: false } });
  const execution = machine.run(
    (options.input ?? {}) as never,
    {
      context: { Execution: { Name: options.name } } as never,
      overrides: { taskResourceLocalHandlers: { Plan: runTask, PlanInput: runTask, ReadPlan: readPlan, Shard: runTask, Commit: runTask }, waitTimeOverrides: { Backoff: 0 } },
    },
  );
  try {
    await execution.result;
    return { tasks };
  } catch (error) {
    const cause = error instanceof ExecutionError ? (error.cause as Error) : (error as Error);
    return { tasks, error: { name: cause.name, message: cause.message } };
  }
}
