import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import {
  inputOverride,
  networkConfiguration,
  runTaskArgv,
  runTaskCommand,
  shellQuote,
  startExecutionCommand,
  type RunTaskCommandArgs,
} from "../../infra/run-task-command.ts";

const args: RunTaskCommandArgs = {
  region: "eu-west-1",
  cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/cti-etl-dev",
  taskDefinition: "cti-etl-dev",
  subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
  securityGroupIds: ["sg-1"],
  containerName: "etl",
  input: "s3://bucket/input/2024-05-01.csv",
};

/** How bash splits a command line into argv. */
function shellWords(command: string): string[] {
  const out = execFileSync("bash", ["-c", `printf '%s\\0' ${command}`], { encoding: "utf8" });
  return out.split("\0").slice(0, -1);
}

describe("run-task-command", () => {
  describe("runTaskArgv", () => {
    it("runs one Fargate task of the family on the cluster, in the region", () => {
      const argv = runTaskArgv(args);
      assert.deepEqual(argv.slice(0, 15), [
        "aws", "ecs", "run-task",
        "--region", "eu-west-1",
        "--cluster", args.cluster,
        "--task-definition", "cti-etl-dev",
        "--launch-type", "FARGATE",
        "--count", "1",
        "--started-by", "ad-hoc",
      ]);
    });

    it("places the task in the private subnets with its security group and no public IP", () => {
      const argv = runTaskArgv(args);
      assert.equal(
        argv[argv.indexOf("--network-configuration") + 1],
        "awsvpcConfiguration={subnets=[subnet-a,subnet-b,subnet-c],securityGroups=[sg-1],assignPublicIp=DISABLED}",
      );
    });

    it("overrides CTI_INPUT of the named container when an input is given", () => {
      const argv = runTaskArgv(args);
      assert.deepEqual(JSON.parse(argv[argv.indexOf("--overrides") + 1]!), {
        containerOverrides: [{ name: "etl", environment: [{ name: "CTI_INPUT", value: "s3://bucket/input/2024-05-01.csv" }] }],
      });
    });

    it("leaves the task definition's input alone when no input is given", () => {
      const { input: _input, ...withoutInput } = args;
      assert.ok(!runTaskArgv(withoutInput).includes("--overrides"));
    });
  });

  describe("networkConfiguration", () => {
    it("refuses to build a command without subnets or security groups", () => {
      assert.throws(() => networkConfiguration([], ["sg-1"]), /subnet/);
      assert.throws(() => networkConfiguration(["subnet-a"], []), /security group/);
    });
  });

  describe("runTaskCommand", () => {
    it("is the argv, word for word, once a shell has parsed it", () => {
      assert.deepEqual(shellWords(runTaskCommand(args)), runTaskArgv(args));
    });

    it("survives any input value a user might paste", () => {
      fc.assert(
        fc.property(fc.string({ unit: "grapheme", maxLength: 40 }).filter((s) => !s.includes("\0")), (input) => {
          const withInput = { ...args, input };
          assert.deepEqual(shellWords(runTaskCommand(withInput)), runTaskArgv(withInput));
        }),
        { numRuns: 40 },
      );
    });
  });

  describe("startExecutionCommand (fanOut)", () => {
    it("starts an execution of the state machine, naming its input as the execution's input, word for word once a shell has parsed it", () => {
      const machine = "arn:aws:states:eu-west-1:123456789012:stateMachine:cti-etl-dev";
      assert.deepEqual(shellWords(startExecutionCommand({ region: "eu-west-1", stateMachineArn: machine, input: "s3://b/in/it's.csv" })), [
        "aws", "stepfunctions", "start-execution", "--region", "eu-west-1", "--state-machine-arn", machine, "--input", '{"input":"s3://b/in/it\'s.csv"}',
      ]);
      assert.deepEqual(shellWords(startExecutionCommand({ region: "eu-west-1", stateMachineArn: machine })).slice(-2), ["--state-machine-arn", machine]);
    });
  });

  describe("shellQuote", () => {
    it("leaves safe words bare and single-quotes the rest", () => {
      assert.equal(shellQuote("arn:aws:ecs:eu-west-1:1:cluster/x"), "arn:aws:ecs:eu-west-1:1:cluster/x");
      assert.equal(shellQuote("it's"), `'it'\\''s'`);
      assert.equal(shellQuote(""), "''");
    });
  });

  describe("inputOverride", () => {
    it("sets only CTI_INPUT", () => {
      assert.deepEqual(inputOverride("etl", "s3://b/k"), {
        containerOverrides: [{ name: "etl", environment: [{ name: "CTI_INPUT", value: "s3://b/k" }] }],
      });
    });
  });
});
