/**
 * The cti-etl Pulumi program: everything the job needs on a fresh AWS account. Reads the stack
 * configuration once, composes the modules, and exports what operators need.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FanOut } from "../scheduler/fan-out.ts";
import { Scheduler } from "../scheduler/index.ts";
import { schedulePeriodSeconds } from "../scheduler/schedule-period.ts";
import { Compute } from "./compute.ts";
import { Monitoring } from "./monitoring.ts";
import { readInfraConfig } from "./config.ts";
import { resourceNames } from "./naming.ts";
import { Network } from "./network.ts";
import { Registry } from "./registry.ts";
import { runTaskCommand as renderRunTaskCommand, startExecutionCommand } from "./run-task-command.ts";
import { Storage } from "./storage.ts";
import { s3Uri } from "./storage-layout.ts";
import { Warehouse } from "./warehouse.ts";

const config = readInfraConfig();
const names = resourceNames(pulumi.getProject(), pulumi.getStack());
/** Component names start with the project, so every auto-named resource says whose it is. */
const component = (module: string) => `${pulumi.getProject()}-${module}`;

/**
 * The region's zones, names and IDs, read before the VPC is declared: awsx takes zone names only
 * as plain values. Standard zones only (Local and Wavelength Zones need opting in).
 */
const zones = await aws.getAvailabilityZones({ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] });
const network = new Network(component("network"), { natGateway: config.natGateway, region: config.region, zones });

const storage = new Storage(component("storage"), {
  outputPrefix: config.outputPrefix,
  stagingRetentionDays: config.stagingRetentionDays,
  noncurrentVersionRetentionDays: config.noncurrentVersionRetentionDays,
});

const projectRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const registry = new Registry(component("registry"), {
  buildContext: projectRoot,
  cpuArchitecture: config.cpuArchitecture,
  ...(config.imageBuildCaFile === undefined ? {} : { caBundleFile: resolve(projectRoot, config.imageBuildCaFile) }),
});

const warehouse = new Warehouse(component("warehouse"), {
  namespaceName: names.namespace,
  workgroupName: names.workgroup,
  database: config.redshiftDatabase,
  baseCapacity: config.redshiftBaseCapacity,
  subnetIds: network.privateSubnetIds,
  securityGroupId: network.warehouseSecurityGroupId,
  bucketArn: storage.bucketArn,
  stagingPrefix: config.outputPrefix,
});

const compute = new Compute(component("compute"), {
  region: config.region,
  clusterName: names.cluster,
  taskFamily: names.taskFamily,
  containerName: names.container,
  logGroupName: names.logGroup,
  logRetentionDays: config.logRetentionDays,
  cpu: config.taskCpu,
  memory: config.taskMemory,
  cpuArchitecture: config.cpuArchitecture,
  ephemeralStorageGiB: config.taskEphemeralStorageGiB,
  imageUri: registry.imageUri,
  repositoryArn: registry.repositoryArn,
  bucketArn: storage.bucketArn,
  workgroupArn: warehouse.workgroupArn,
  secrets: config.notificationSecrets,
  environment: pulumi.all([storage.bucketName, warehouse.workgroupName, warehouse.copyRoleArn]).apply(
    ([bucket, workgroup, copyRoleArn]) => ({
      bucket,
      inputPrefix: config.inputPrefix,
      outputPrefix: config.outputPrefix,
      table: config.redshiftTable,
      workgroup,
      database: config.redshiftDatabase,
      copyRoleArn,
    }),
  ),
});

/** With `fanOut`: the state machine the schedule starts instead of a task. */
const fanOut = config.fanOut
  ? new FanOut(component("fan-out"), {
      name: names.base,
      stackLabel: `${pulumi.getProject()}/${pulumi.getStack()}`,
      clusterArn: compute.clusterArn,
      taskDefinitionArn: compute.taskDefinitionArn,
      containerName: names.container,
      taskRoleArn: compute.taskRoleArn,
      executionRoleArn: compute.executionRoleArn,
      subnetIds: network.privateSubnetIds,
      securityGroupId: network.taskSecurityGroupId,
      bucketName: storage.bucketName,
      bucketArn: storage.bucketArn,
      outputPrefix: config.outputPrefix,
      maxConcurrency: config.fanOutMaxConcurrency,
      shardAttempts: config.fanOutShardAttempts,
    })
  : undefined;

const scheduler = new Scheduler(component("scheduler"), {
  name: names.base,
  stackLabel: `${pulumi.getProject()}/${pulumi.getStack()}`,
  region: config.region,
  expression: config.scheduleExpression,
  timeZone: config.scheduleTimeZone,
  timing: {
    paused: config.schedulePaused,
    flexibleWindowMinutes: config.scheduleFlexibleWindowMinutes,
    retryAttempts: config.scheduleRetryAttempts,
    maxEventAgeSeconds: config.scheduleMaxEventAgeSeconds,
  },
  clusterArn: compute.clusterArn,
  taskDefinitionArn: compute.taskDefinitionArn,
  taskRoleArn: compute.taskRoleArn,
  executionRoleArn: compute.executionRoleArn,
  subnetIds: network.privateSubnetIds,
  securityGroupId: network.taskSecurityGroupId,
  logGroupName: compute.logGroupName,
  ...(config.alertEmail === undefined ? {} : { alertEmail: config.alertEmail }),
  job: names.taskFamily, // the task's default Job metric dimension
  // The job's alarms lived in Monitoring before the scheduler's alerting owned them.
  jobAlarmsFormerParent: component("monitoring"),
  ...(fanOut ? { fanOut: { stateMachineArn: fanOut.stateMachineArn } } : {}),
});

const monitoring = new Monitoring(component("monitoring"), {
  job: names.taskFamily, // the task's default Job metric dimension
  schedulePeriodSeconds: schedulePeriodSeconds(config.scheduleExpression, config.scheduleTimeZone),
  alarmArns: scheduler.alarmArns,
  region: config.region,
  dashboardName: names.base,
  logGroupName: compute.logGroupName,
});

/** Name of the job's bucket. */
export const bucketName = storage.bucketName;
/** Where input is read from by default: `s3://<bucket>/<inputPrefix>`. */
export const inputUri = storage.bucketName.apply((bucket) => s3Uri(bucket, config.inputPrefix));
/** ECS cluster ARN. */
export const clusterArn = compute.clusterArn;
/** Task definition ARN (latest revision): the one the schedule runs. */
export const taskDefinitionArn = compute.taskDefinitionArn;
/** Task definition family: what `aws ecs run-task --task-definition` takes. */
export const taskDefinitionFamily = compute.taskDefinitionFamily;
/** Private subnets the task runs in. */
export const subnetIds = network.privateSubnetIds;
/** Security group of the task. */
export const securityGroupId = network.taskSecurityGroupId;
/** Redshift Serverless workgroup name. */
export const workgroupName = warehouse.workgroupName;
/** The task's CloudWatch Logs group. */
export const logGroupName = compute.logGroupName;
/** The task image, by digest. */
export const imageUri = registry.imageUri;
/** Role Redshift assumes for COPY. */
export const copyRoleArn = warehouse.copyRoleArn;
/** Secrets Manager secret holding the Redshift admin password (the ARN, not the password). */
export const redshiftAdminSecretArn = warehouse.adminSecretArn;
/** Name of the EventBridge Scheduler schedule (`aws scheduler get-schedule --group-name <scheduleGroupName> --name <scheduleName>`). */
export const scheduleName = scheduler.scheduleName;
/** Schedule group the schedule lives in. */
export const scheduleGroupName = scheduler.scheduleGroupName;
/** ARN of the schedule. */
export const scheduleArn = scheduler.scheduleArn;
/** SNS topic told about failed runs and runs that never started; subscribe more endpoints to it. */
export const alertTopicArn = scheduler.alertTopicArn;
/** Dead-letter queue of the schedule: one message per scheduled run that could not be started. */
export const deadLetterQueueUrl = scheduler.deadLetterQueueUrl;
/**
 * An ad-hoc run, ready to paste. It sets `CTI_INPUT` explicitly: change that value to run on
 * another object or prefix under the input prefix. With `fanOut`: an execution of the state
 * machine, its input likewise.
 */
export const runTaskCommand = fanOut
  ? pulumi.all([fanOut.stateMachineArn, inputUri]).apply(([stateMachineArn, input]) => startExecutionCommand({ region: config.region, stateMachineArn, input }))
  : pulumi
      .all([compute.clusterArn, compute.taskDefinitionFamily, network.privateSubnetIds, network.taskSecurityGroupId, inputUri])
      .apply(([cluster, taskDefinition, subnets, securityGroup, input]) =>
        renderRunTaskCommand({
          region: config.region,
          cluster,
          taskDefinition,
          subnetIds: subnets,
          securityGroupIds: [securityGroup],
          containerName: names.container,
          input,
        }),
      );

/** With `fanOut`: the state machine each run is an execution of (`aws stepfunctions start-execution --state-machine-arn …`); else empty. */
export const fanOutStateMachineArn = fanOut ? fanOut.stateMachineArn : pulumi.output("");
/** CloudWatch dashboard of the job's runs, rows, rejects and durations. */
export const dashboardName = monitoring.dashboardName;
