/**
 * The `aws ecs run-task` command for an ad-hoc run, built from stack outputs (pure). Exported as a
 * stack output so an operator can copy it, and documented in the README.
 */

/** What the command needs. */
export interface RunTaskCommandArgs {
  /** AWS region of the stack. */
  readonly region: string;
  /** Cluster ARN or name. */
  readonly cluster: string;
  /** Task definition family (latest ACTIVE revision) or `family:revision` or ARN. */
  readonly taskDefinition: string;
  /** Private subnets the task's network interface is placed in. */
  readonly subnetIds: readonly string[];
  /** Security groups of the task's network interface. */
  readonly securityGroupIds: readonly string[];
  /** Name of the container in the task definition whose environment is overridden. */
  readonly containerName: string;
  /** Value for `CTI_INPUT` for this run (`s3://bucket/key` or `s3://bucket/prefix/`); omitted: the task definition's. */
  readonly input?: string;
}

/** The command as argv (no shell involved): what {@link runTaskCommand} quotes. */
export function runTaskArgv(args: RunTaskCommandArgs): string[] {
  const argv = [
    "aws", "ecs", "run-task",
    "--region", args.region,
    "--cluster", args.cluster,
    "--task-definition", args.taskDefinition,
    "--launch-type", "FARGATE",
    "--count", "1",
    "--started-by", "ad-hoc",
    "--network-configuration", networkConfiguration(args.subnetIds, args.securityGroupIds),
  ];
  if (args.input !== undefined) {
    argv.push("--overrides", JSON.stringify(inputOverride(args.containerName, args.input)));
  }
  return argv;
}

/** The command line, quoted for a POSIX shell. */
export function runTaskCommand(args: RunTaskCommandArgs): string {
  return runTaskArgv(args).map(shellQuote).join(" ");
}

/**
 * `--network-configuration` in the CLI's shorthand syntax. Private subnets, no public IP: the task
 * reaches AWS through VPC endpoints or the NAT gateway.
 */
export function networkConfiguration(subnetIds: readonly string[], securityGroupIds: readonly string[]): string {
  if (subnetIds.length === 0) throw new Error("run-task needs at least one subnet");
  if (securityGroupIds.length === 0) throw new Error("run-task needs at least one security group");
  return `awsvpcConfiguration={subnets=[${subnetIds.join(",")}],securityGroups=[${securityGroupIds.join(",")}],assignPublicIp=DISABLED}`;
}

/** `--overrides` value that replaces `CTI_INPUT` for one run. */
export function inputOverride(containerName: string, input: string): unknown {
  return { containerOverrides: [{ name: containerName, environment: [{ name: "CTI_INPUT", value: input }] }] };
}

/** Quotes one word for a POSIX shell; words made only of safe characters are left bare. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * With `fanOut`: the ad-hoc run is an execution of the state machine, optionally on another input
 * (`{"input": "s3://…"}`, planned instead of the task's `CTI_INPUT`). Step Functions names the
 * execution (a UUID), and the name is the run id. Quoted for a POSIX shell.
 */
export function startExecutionCommand(args: { readonly region: string; readonly stateMachineArn: string; readonly input?: string }): string {
  const argv = ["aws", "stepfunctions", "start-execution", "--region", args.region, "--state-machine-arn", args.stateMachineArn];
  if (args.input !== undefined) argv.push("--input", JSON.stringify({ input: args.input }));
  return argv.map(shellQuote).join(" ");
}
