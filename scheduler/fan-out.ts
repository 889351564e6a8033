/**
 * The fan-out (config `fanOut`): a Standard Step Functions state machine that plans a run, runs
 * one Fargate task per shard and commits (fan-out-definition.ts), with its own least-privilege
 * role (fan-out-iam.ts). The schedule starts an execution of it instead of a task.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { renderPolicyDocument } from "../infra/iam/policy-document.ts";
import { fanOutDefinition } from "./fan-out-definition.ts";
import { fanOutRoleStatements, fanOutTrust } from "./fan-out-iam.ts";

export interface FanOutArgs {
  /** Physical name of the state machine, e.g. `cti-etl-dev`. */
  readonly name: string;
  readonly stackLabel: string;
  readonly clusterArn: pulumi.Input<string>;
  readonly taskDefinitionArn: pulumi.Input<string>;
  readonly containerName: string;
  readonly taskRoleArn: pulumi.Input<string>;
  readonly executionRoleArn: pulumi.Input<string>;
  readonly subnetIds: pulumi.Input<string[]>;
  readonly securityGroupId: pulumi.Input<string>;
  readonly bucketName: pulumi.Input<string>;
  readonly bucketArn: pulumi.Input<string>;
  /** The runs' output prefix, ending in `/` (the task's `CTI_OUTPUT` under the bucket). */
  readonly outputPrefix: string;
  /** Shard tasks at once, 1–10,000. */
  readonly maxConcurrency: number;
  /** Attempts of a shard task that fails other than by bad input, 1–10. */
  readonly shardAttempts: number;
}

export class FanOut extends pulumi.ComponentResource {
  readonly stateMachineArn: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: FanOutArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cti-etl:scheduler:FanOut", name, {}, opts);
    const parent = { parent: this };
    const trust = pulumi.output(args.taskDefinitionArn).apply((taskDefinitionArn) => renderPolicyDocument(fanOutTrust({ stateMachineName: args.name, taskDefinitionArn })));
    const role = new aws.iam.Role(`${name}-role`, { description: `Step Functions: the ${args.stackLabel} fan-out`, assumeRolePolicy: trust }, parent);
    const statements = pulumi
      .all([args.clusterArn, args.taskDefinitionArn, args.taskRoleArn, args.executionRoleArn, args.bucketArn])
      .apply(([clusterArn, taskDefinitionArn, taskRoleArn, executionRoleArn, bucketArn]) =>
        fanOutRoleStatements({ stateMachineName: args.name, clusterArn, taskDefinitionArn, taskRoleArn, executionRoleArn, bucketArn, outputPrefix: args.outputPrefix }),
      );
    const policy = new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: statements.apply((s) => renderPolicyDocument(s)) }, parent);
    const definition = pulumi
      .all([args.clusterArn, args.taskDefinitionArn, args.subnetIds, args.securityGroupId, args.bucketName])
      .apply(([clusterArn, taskDefinitionArn, subnetIds, securityGroupId, bucket]) =>
        JSON.stringify(
          fanOutDefinition({
            clusterArn,
            taskDefinitionArn,
            containerName: args.containerName,
            subnetIds,
            securityGroupId,
            bucket,
            outputPrefix: args.outputPrefix,
            maxConcurrency: args.maxConcurrency,
            shardAttempts: args.shardAttempts,
          }),
        ),
      );
    const machine = new aws.sfn.StateMachine(
      `${name}-state-machine`,
      { name: args.name, type: "STANDARD", roleArn: role.arn, definition },
      // Created once its role may act: a first execution must not race the policy.
      { ...parent, dependsOn: [policy] },
    );
    this.stateMachineArn = machine.arn;
    this.roleArn = role.arn;
    this.registerOutputs({ stateMachineArn: this.stateMachineArn, roleArn: this.roleArn });
  }
}
