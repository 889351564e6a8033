import "../support/promise-with-resolvers.ts";
import assert from "node:assert/strict";
import aslValidator from "asl-validator";
import { ExecutionError, StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import { ECS_CALL_ERRORS, fanOutDefinition, fanOutProblems, type FanOutArgs } from "../../scheduler/fan-out-definition.ts";

const args: FanOutArgs = {
  clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/cti-etl-dev",
  taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/cti-etl-dev:7",
  containerName: "cti-etl",
  subnetIds: ["subnet-a", "subnet-b"],
  securityGroupId: "sg-1",
  bucket: "cti-etl-dev-data",
  outputPrefix: "runs/",
  maxConcurrency: 50,
  shardAttempts: 3,
};

type States = Record<string, Record<string, unknown>>;
const definition = fanOutDefinition(args);
const states = definition.States as States;
const child = (states.Shards!.ItemProcessor as { States: States }).States;

describe("fanOutDefinition", () => {
  it("is a valid state machine by asl-validator, and by the project's own rules", () => {
    const { isValid, errorsText } = aslValidator(definition);
    assert.ok(isValid, errorsText("\n"));
    assert.deepEqual(fanOutProblems(definition), []);
  });

  it("asl-validator refuses a broken copy (a Next to no state), so the check above can fail", () => {
    const broken = structuredClone(definition) as { States: States };
    broken.States.Plan!.Next = "Nowhere";
    assert.equal(aslValidator(broken).isValid, false);
  });

  it("plans, maps one Standard child per line of the run's plan.jsonl, and commits, each a Fargate task of the one task definition", () => {
    assert.deepEqual(Object.keys(states), ["Run", "RunOnInput", "RunOnTaskInput", "PlanInput", "Plan", "Shards", "Commit"]);
    const planUri = "States.Format('s3://cti-etl-dev-data/runs/{}/plan.jsonl', $$.Execution.Name)";
    assert.deepEqual(states.RunOnTaskInput!.Parameters, { "runId.$": "$$.Execution.Name", "plan.$": planUri });
    assert.deepEqual(states.RunOnInput!.Parameters, { "runId.$": "$$.Execution.Name", "plan.$": planUri, "input.$": "$.input" });
    const command = (s: Record<string, unknown>) => ((s.Parameters as { Overrides: { ContainerOverrides: { Name: string; "Command.$": string }[] } }).Overrides.ContainerOverrides);
    assert.deepEqual(command(states.Plan!), [{ Name: "cti-etl", "Command.$": "States.Array('plan', '--run-id', $.runId)" }]);
    assert.deepEqual(command(states.PlanInput!), [{ Name: "cti-etl", "Command.$": "States.Array('plan', '--run-id', $.runId, '--input', $.input)" }]);
    assert.deepEqual(command(child.Shard!), [{ Name: "cti-etl", "Command.$": "States.Array('shard', '--plan', $.plan, '--index', States.Format('{}', $.index))" }]);
    assert.deepEqual(command(states.Commit!), [{ Name: "cti-etl", "Command.$": "States.Array('commit', '--plan', $.plan)" }]);
    for (const task of [states.Plan!, states.PlanInput!, child.Shard!, states.Commit!]) {
      assert.equal(task.Resource, "arn:aws:states:::ecs:runTask.sync");
      assert.deepEqual((task.Parameters as Record<string, unknown>).NetworkConfiguration, { AwsvpcConfiguration: { Subnets: ["subnet-a", "subnet-b"], SecurityGroups: ["sg-1"], AssignPublicIp: "DISABLED" } });
      assert.equal((task.Parameters as Record<string, unknown>).TaskDefinition, args.taskDefinitionArn);
      assert.deepEqual((task.Retry as { ErrorEquals: string[]; JitterStrategy: string }[]).map((r) => [r.ErrorEquals, r.JitterStrategy]), [[[...ECS_CALL_ERRORS], "FULL"]]);
    }
    const map = states.Shards!;
    assert.deepEqual(map.ItemReader, { Resource: "arn:aws:states:::s3:getObject", ReaderConfig: { InputType: "JSONL" }, Parameters: { Bucket: "cti-etl-dev-data", "Key.$": "States.Format('runs/{}/plan.jsonl', $$.Execution.Name)" } });
    assert.deepEqual((map.ItemProcessor as { ProcessorConfig: unknown }).ProcessorConfig, { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" });
    assert.deepEqual([map.MaxConcurrency, map.ToleratedFailurePercentage], [50, 0]);
  });

  it("refuses settings the service would", () => {
    assert.throws(() => fanOutDefinition({ ...args, subnetIds: [] }), /at least one subnet/);
    assert.throws(() => fanOutDefinition({ ...args, maxConcurrency: 10_001 }), /maxConcurrency must be a whole number from 1 to 10000/);
    assert.throws(() => fanOutDefinition({ ...args, shardAttempts: 0 }), /shardAttempts must be a whole number from 1 to 10/);
    assert.throws(() => fanOutDefinition({ ...args, outputPrefix: "runs" }), /must end with "\/"/);
  });
});

describe("fanOutProblems", () => {
  const withMap = (map: Record<string, unknown>) => ({ StartAt: "M", States: { M: { Type: "Map", End: true, ...map } } });
  const processor = (executionType: string) => ({
    ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: executionType }, StartAt: "T", States: { T: { Type: "Task", Resource: "arn:aws:states:::ecs:runTask.sync", End: true } } },
  });

  it("refuses .sync in an Express child, which asl-validator lets through", () => {
    const express = withMap(processor("EXPRESS"));
    assert.ok(aslValidator(express).isValid, "asl-validator accepts it");
    assert.deepEqual(fanOutProblems(express), ["M/T: an Express child execution cannot use arn:aws:states:::ecs:runTask.sync (.sync needs Standard)"]);
    assert.deepEqual(fanOutProblems(withMap(processor("STANDARD"))), []);
  });

  it("allows a fractional ToleratedFailurePercentage, not one past 100; MaxConcurrency up to 10,000 in a Distributed Map", () => {
    assert.deepEqual(fanOutProblems(withMap({ ...processor("STANDARD"), ToleratedFailurePercentage: 2.5, MaxConcurrency: 10_000 })), []);
    assert.deepEqual(fanOutProblems(withMap({ ...processor("STANDARD"), ToleratedFailurePercentage: 120, MaxConcurrency: 10_001 })), [
      "M: ToleratedFailurePercentage must be a number from 0 to 100 (was 120)",
      "M: MaxConcurrency must be a whole number from 0 to 10000 (was 10001)",
    ]);
  });
});

/**
 * The shard child's control flow, run by aws-local-stepfunctions with its Task handled here: the
 * ECS control plane is the one thing with no local stand-in, so the task's outcome is given as
 * `.sync` reports it (a task that stops with a non-zero exit code fails the state with
 * States.TaskFailed, the task's description as the cause).
 */
describe("the shard child of the fan-out, run by aws-local-stepfunctions", () => {
  const childMachine = { StartAt: "Shard", States: child } as unknown as StateMachineDefinition;
  const stoppedWith = (exitCode: number | undefined) =>
    Object.assign(new Error(JSON.stringify({ TaskArn: "arn:aws:ecs:…:task/x", StopCode: "EssentialContainerExited", Containers: [exitCode === undefined ? { Name: "cti-etl" } : { Name: "cti-etl", ExitCode: exitCode }] })), {
      name: "States.TaskFailed",
    });

  /** Runs the child over shard 3; each attempt's task ends with the next of `outcomes` (an exit code, or none: stopped before its container ran). Returns each attempt's container command. */
  async function runChild(outcomes: (number | undefined)[]): Promise<{ attempts: string[][]; result: unknown }> {
    const attempts: string[][] = [];
    const machine = new StateMachine(childMachine, { validationOptions: { checkArn: false } });
    const execution = machine.run(
      { plan: "s3://cti-etl-dev-data/runs/r1/plan.jsonl", index: 3, attempt: 1, waitSeconds: 30 },
      {
        overrides: {
          taskResourceLocalHandlers: {
            // The ECS RunTask request the state sends: its command, with the intrinsic functions evaluated.
            Shard: (input) => {
              attempts.push((input as { Overrides: { ContainerOverrides: { Command: string[] }[] } }).Overrides.ContainerOverrides[0]!.Command);
              const exit = outcomes[attempts.length - 1];
              if (exit === 0) return { Containers: [{ ExitCode: 0 }] };
              throw stoppedWith(exit);
            },
          },
          waitTimeOverrides: { Backoff: 0 },
        },
      },
    );
    try {
      return { attempts, result: await execution.result };
    } catch (error) {
      return { attempts, result: error };
    }
  }

  it("fails at once with CtiEtl.BadInput when the task exits 2", async () => {
    const { attempts, result } = await runChild([2]);
    assert.equal(attempts.length, 1);
    assert.ok(result instanceof ExecutionError);
    assert.equal((result.cause as Error).name, "CtiEtl.BadInput");
  });

  it("tries a task that was killed or failed otherwise again, with the same plan and index, and succeeds", async () => {
    const { attempts, result } = await runChild([137, 1, 0]);
    const command = ["shard", "--plan", "s3://cti-etl-dev-data/runs/r1/plan.jsonl", "--index", "3"];
    assert.deepEqual(attempts, [command, command, command]);
    assert.ok(!(result instanceof Error), String(result));
  });

  it("fails with CtiEtl.ShardFailed after shardAttempts, a task stopped before its container ran included", async () => {
    const { attempts, result } = await runChild([undefined, 137, 1]);
    assert.equal(attempts.length, args.shardAttempts);
    assert.ok(result instanceof ExecutionError);
    assert.equal((result.cause as Error).name, "CtiEtl.ShardFailed");
  });
});
