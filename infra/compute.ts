import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { executionRoleStatements } from "./iam/execution-role.ts";
import { type PolicyStatement, renderPolicyDocument } from "./iam/policy-document.ts";
import { taskRoleStatements } from "./iam/task-role.ts";
import { ecsExecutionTrust, ecsTaskTrust } from "./iam/trust.ts";
import { containerDefinitions, scratchMount, type TaskEnvironmentArgs, taskEnvironment } from "./task-definition.ts";

/** Arguments of {@link Compute}. */
export interface ComputeArgs {
  /** AWS region. Example: `us-east-1`. */
  readonly region: string;
  /** ECS cluster name (see naming.ts). */
  readonly clusterName: string;
  /** Task definition family. */
  readonly taskFamily: string;
  /** Container name. Example: `etl`. */
  readonly containerName: string;
  /** CloudWatch Logs group name. Example: `/cti-etl/dev/task`. */
  readonly logGroupName: string;
  /** Log retention, days; one of CloudWatch's allowed values. Example: 30. */
  readonly logRetentionDays: number;
  /** Task CPU units; a valid Fargate pair with `memory` (config validated it). Example: 1024. */
  readonly cpu: number;
  /** Task memory, MiB. Example: 2048. */
  readonly memory: number;
  /** `ARM64` or `X86_64`; must match the image. */
  readonly cpuArchitecture: "ARM64" | "X86_64";
  /** Ephemeral storage, GiB (21–200). Example: 21. */
  readonly ephemeralStorageGiB: number;
  /** Image reference by digest. */
  readonly imageUri: pulumi.Input<string>;
  /** ARN of the ECR repository (the execution role may pull from it only). */
  readonly repositoryArn: pulumi.Input<string>;
  /** ARN of the job's bucket. */
  readonly bucketArn: pulumi.Input<string>;
  /** Everything the task's environment is built from. */
  readonly environment: pulumi.Input<TaskEnvironmentArgs>;
  /** ARN of the Redshift workgroup (scopes the Data API permissions). */
  readonly workgroupArn: pulumi.Input<string>;
  /** Task variables ECS fills from Secrets Manager (name → complete secret ARN). Default none. */
  readonly secrets?: Readonly<Record<string, string>>;
}

/**
 * Where and how the job runs: an ECS cluster with Container Insights, the task's log group, the
 * execution and task roles (least privilege, see `iam/`), and the Fargate task definition.
 */
export class Compute extends pulumi.ComponentResource {
  /** Cluster ARN. */
  readonly clusterArn: pulumi.Output<string>;
  /** Task definition ARN (with revision). */
  readonly taskDefinitionArn: pulumi.Output<string>;
  /** Task definition family. */
  readonly taskDefinitionFamily: pulumi.Output<string>;
  /** Log group name. */
  readonly logGroupName: pulumi.Output<string>;
  /** ARN of the task role (whoever starts the task passes it; see scheduler/iam.ts). */
  readonly taskRoleArn: pulumi.Output<string>;
  /** ARN of the execution role (likewise). */
  readonly executionRoleArn: pulumi.Output<string>;

  constructor(name: string, args: ComputeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cti-etl:infra:Compute", name, {}, opts);
    const parent = { parent: this };

    const cluster = createCluster(name, args, parent);
    const logGroup = createLogGroup(name, args, parent);
    const executionRole = createExecutionRole(name, args, logGroup, parent);
    const taskRole = createTaskRole(name, args, parent);
    const taskDefinition = createTaskDefinition(name, args, { logGroup, executionRole, taskRole }, parent);

    this.clusterArn = cluster.arn;
    this.taskDefinitionArn = taskDefinition.arn;
    this.taskDefinitionFamily = taskDefinition.family;
    this.logGroupName = logGroup.name;
    this.taskRoleArn = taskRole.arn;
    this.executionRoleArn = executionRole.arn;
    this.registerOutputs({
      clusterArn: this.clusterArn,
      taskDefinitionArn: this.taskDefinitionArn,
      taskDefinitionFamily: this.taskDefinitionFamily,
      logGroupName: this.logGroupName,
      taskRoleArn: this.taskRoleArn,
      executionRoleArn: this.executionRoleArn,
    });
  }
}

function createCluster(name: string, args: ComputeArgs, opts: pulumi.CustomResourceOptions) {
  return new aws.ecs.Cluster(
    `${name}-cluster`,
    { name: args.clusterName, settings: [{ name: "containerInsights", value: "enabled" }] },
    opts,
  );
}

function createLogGroup(name: string, args: ComputeArgs, opts: pulumi.CustomResourceOptions) {
  return new aws.cloudwatch.LogGroup(`${name}-logs`, { name: args.logGroupName, retentionInDays: args.logRetentionDays }, opts);
}

function createExecutionRole(name: string, args: ComputeArgs, logGroup: aws.cloudwatch.LogGroup, opts: pulumi.CustomResourceOptions) {
  const statements = pulumi
    .all([args.repositoryArn, logGroup.arn])
    .apply(([repositoryArn, logGroupArn]) => executionRoleStatements({ repositoryArn, logGroupArn, secretArns: Object.values(args.secrets ?? {}) }));
  return createRole(`${name}-execution`, "ECS: pull the task image, write its logs", renderPolicyDocument(ecsExecutionTrust()), statements, opts);
}

function createTaskRole(name: string, args: ComputeArgs, opts: pulumi.CustomResourceOptions) {
  const identity = aws.getCallerIdentityOutput({}, opts);
  const partition = aws.getPartitionOutput({}, opts);
  const trust = pulumi
    .all([identity.accountId, partition.partition])
    .apply(([accountId, partitionName]) => renderPolicyDocument(ecsTaskTrust({ accountId, region: args.region, partition: partitionName })));
  const statements = pulumi.all([args.bucketArn, args.workgroupArn, args.environment]).apply(([bucketArn, workgroupArn, environment]) =>
    taskRoleStatements({ bucketArn, workgroupArn, inputPrefix: environment.inputPrefix, outputPrefix: environment.outputPrefix }),
  );
  return createRole(`${name}-task`, "The cti-etl job: what its adapters call", trust, statements, opts);
}

/** A role and its one inline policy, rendered once from statements. */
function createRole(
  name: string,
  description: string,
  trust: pulumi.Input<string>,
  statements: pulumi.Input<PolicyStatement[]>,
  opts: pulumi.CustomResourceOptions,
): aws.iam.Role {
  const role = new aws.iam.Role(`${name}-role`, { description, assumeRolePolicy: trust }, opts);
  new aws.iam.RolePolicy(
    `${name}-policy`,
    { role: role.id, policy: pulumi.output(statements).apply((s) => renderPolicyDocument(s)) },
    opts,
  );
  return role;
}

function createTaskDefinition(
  name: string,
  args: ComputeArgs,
  deps: { logGroup: aws.cloudwatch.LogGroup; executionRole: aws.iam.Role; taskRole: aws.iam.Role },
  opts: pulumi.CustomResourceOptions,
) {
  const containers = pulumi
    .all([args.imageUri, args.environment, deps.logGroup.name])
    .apply(([image, environment, logGroup]) =>
      JSON.stringify(
        containerDefinitions({
          name: args.containerName,
          image,
          environment: taskEnvironment(environment),
          ...(args.secrets ? { secrets: args.secrets } : {}),
          logGroup,
          region: args.region,
        }),
      ),
    );
  return new aws.ecs.TaskDefinition(
    `${name}-task-definition`,
    {
      family: args.taskFamily,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(args.cpu),
      memory: String(args.memory),
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.cpuArchitecture },
      ephemeralStorage: { sizeInGib: args.ephemeralStorageGiB },
      volumes: [{ name: scratchMount.volume }],
      executionRoleArn: deps.executionRole.arn,
      taskRoleArn: deps.taskRole.arn,
      containerDefinitions: containers,
    },
    opts,
  );
}
