/**
 * The execution role (`execution-role.ts`) and its trust (`trust.ts`) as the program renders
 * them, evaluated by an IAM simulator. The dev stack configures no notification secrets, so a
 * sandbox `Compute` is built next to the program from the dev configuration plus the three
 * secret keys, read by the program's own config parser.
 */
import assert from "node:assert/strict";
import { parseInfraConfig, type RawInfraConfig } from "../../../infra/config.ts";
import { Compute } from "../../../infra/compute.ts";
import { type AccessRequest, assertAccess } from "../support/iam-simulator.ts";
import { loadProgram, programTask, project, readStackConfig, recorded, sandboxPrefix, settle, type RecordedResource } from "../support/pulumi-mocks.ts";
import { renderedPolicies, type RenderedPolicies } from "../support/rendered-policies.ts";

/** The dev stack's configuration as `readInfraConfig` collects it, plus `extra` keys. */
function stackConfig(extra: RawInfraConfig): RawInfraConfig {
  const raw: RawInfraConfig = {};
  for (const [key, value] of Object.entries(readStackConfig())) {
    if (key === "aws:region") raw[key] = value;
    else if (key.startsWith(`${project}:`)) raw[key.slice(project.length + 1)] = value;
  }
  return { ...raw, ...extra };
}

/** What the execution role must be able to do for a task definition, and what it must not. */
function executionRoleCases(args: { roleArn: string; repositoryArn: string; logGroupArn: string; secretArns: readonly string[] }) {
  const as = (action: string, resource: string): AccessRequest => ({ principal: args.roleArn, action, resource });
  const [, partition, , region, account] = args.logGroupArn.split(":");
  // A secret of the same account that is not configured (a secret's ARN ends in - and 6 random characters).
  const unconfiguredSecret = `arn:${partition}:secretsmanager:${region}:${account}:secret:cti-etl/other-XyZ987`;
  const stream = `${args.logGroupArn.replace(/:\*$/, "")}:log-stream:etl/etl/0123456789abcdef`;
  return {
    allowed: [
      as("ecr:GetAuthorizationToken", "*"),
      ...["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"].map((a) => as(a, args.repositoryArn)),
      // AWS authorises both on the stream's ARN (the log-stream resource type), not the group's.
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
      as("logs:CreateLogStream", stream),
      as("logs:PutLogEvents", stream),
      ...args.secretArns.map((arn) => as("secretsmanager:GetSecretValue", arn)),
    ],
    denied: [
      as("ecr:BatchGetImage", `${args.repositoryArn}-other`),
      as("ecr:PutImage", args.repositoryArn),
      as("logs:PutLogEvents", `${args.logGroupArn.replace(/:\*$/, "")}-other:log-stream:x`),
      as("logs:DeleteLogGroup", args.logGroupArn.replace(/:\*$/, "")),
      as("secretsmanager:GetSecretValue", unconfiguredSecret),
      // A secret whose name only starts like a configured one.
      ...args.secretArns.map((arn) => as("secretsmanager:GetSecretValue", arn.replace(/-[A-Za-z0-9]{6}$/, "-more-XyZ987"))),
      ...args.secretArns.map((arn) => as("secretsmanager:PutSecretValue", arn)),
    ],
  };
}

describe("execution role, simulated", () => {
  describe("in the program (no secrets configured)", () => {
    let policies: RenderedPolicies;
    let cases: ReturnType<typeof executionRoleCases>;
    let roleArn: string;
    before(async () => {
      const { resources } = await loadProgram();
      policies = renderedPolicies(resources);
      const one = (type: string) => resources.filter((r: RecordedResource) => r.type === type);
      const { definition, container } = programTask(resources);
      roleArn = String(definition.inputs.executionRoleArn);
      const repository = one("aws:ecr/repository:Repository").find((r) => container.image.startsWith(`${String(r.state.repositoryUrl)}@`));
      assert.ok(repository, "the image comes from the program's repository");
      const logGroup = one("aws:cloudwatch/logGroup:LogGroup").find((g) => g.state.name === container.logConfiguration.options["awslogs-group"]);
      assert.ok(logGroup, "the logs go to the program's log group");
      cases = executionRoleCases({ roleArn, repositoryArn: String(repository.state.arn), logGroupArn: String(logGroup.state.arn), secretArns: [] });
    });

    it("may pull the task image and write the task's logs", async () => {
      for (const request of cases.allowed) await assertAccess(policies, request, "Allowed");
    });

    it("may not push images, read other repositories or log groups, or read any secret", async () => {
      for (const request of cases.denied) await assertAccess(policies, request, "Denied");
      const adminSecret = String(recorded.find((r) => r.type === "aws:redshiftserverless/namespace:Namespace")!.state.adminPasswordSecretArn);
      await assertAccess(policies, { principal: roleArn, action: "secretsmanager:GetSecretValue", resource: adminSecret }, "Denied");
    });

    it("is assumed by ECS tasks, and not by other services", async () => {
      await assertAccess(policies, { principal: "ecs-tasks.amazonaws.com", action: "sts:AssumeRole", resource: roleArn }, "Allowed");
      await assertAccess(policies, { principal: "lambda.amazonaws.com", action: "sts:AssumeRole", resource: roleArn }, "Denied");
    });
  });

  describe("with the three notification secrets configured (a sandbox component)", () => {
    const name = `${sandboxPrefix}iam-execution-secrets`;
    const secret = (id: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:cti-etl/${id}`;
    let policies: RenderedPolicies;
    let cases: ReturnType<typeof executionRoleCases>;
    let secretArns: string[];
    before(async () => {
      await loadProgram();
      const parsed = parseInfraConfig(
        stackConfig({ natGateway: "single", heartbeatUrlArn: secret("heartbeat-AbC123"), pagerDutyRoutingKeyArn: secret("pagerduty-DeF456"), webhookUrlArn: secret("webhook-GhI789") }),
      );
      assert.ok(parsed.ok, JSON.stringify(parsed));
      const config = parsed.config;
      secretArns = Object.values(config.notificationSecrets);
      assert.equal(secretArns.length, 3);
      const repositoryArn = "arn:aws:ecr:us-east-1:123456789012:repository/sandbox";
      new Compute(name, {
        region: config.region,
        clusterName: "sandbox",
        taskFamily: "sandbox",
        containerName: "etl",
        logGroupName: "/sandbox/iam/task",
        logRetentionDays: config.logRetentionDays,
        cpu: config.taskCpu,
        memory: config.taskMemory,
        cpuArchitecture: config.cpuArchitecture,
        ephemeralStorageGiB: config.taskEphemeralStorageGiB,
        imageUri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/sandbox@sha256:${"b".repeat(64)}`,
        repositoryArn,
        bucketArn: "arn:aws:s3:::sandbox-iam",
        workgroupArn: "arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/sandbox-iam",
        secrets: config.notificationSecrets,
        environment: { bucket: "sandbox-iam", inputPrefix: config.inputPrefix, outputPrefix: config.outputPrefix, table: config.redshiftTable, workgroup: "sandbox-iam", database: config.redshiftDatabase, copyRoleArn: "arn:aws:iam::123456789012:role/copy" },
      });
      await settle();
      const sandbox = recorded.filter((r) => r.name.startsWith(name));
      policies = renderedPolicies(sandbox);
      const definition = sandbox.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition")!;
      const logGroup = sandbox.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")!;
      cases = executionRoleCases({ roleArn: String(definition.inputs.executionRoleArn), repositoryArn, logGroupArn: String(logGroup.state.arn), secretArns });
    });

    it("may read exactly the configured secrets, besides pulling the image and writing logs", async () => {
      assert.equal(cases.allowed.filter((r) => r.action === "secretsmanager:GetSecretValue").length, 3);
      for (const request of cases.allowed) await assertAccess(policies, request, "Allowed");
    });

    it("may not read another secret, nor change the configured ones", async () => {
      for (const request of cases.denied) await assertAccess(policies, request, "Denied");
    });
  });
});
