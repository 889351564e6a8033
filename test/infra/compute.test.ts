import assert from "node:assert/strict";
import { type } from "arktype";
import { redshiftTaskEnvironment, requiredEnvironmentKeys } from "../../task/src/config/task-environment.ts";
import { parsePolicyDocument } from "../../infra/iam/policy-document.ts";
import { isUnscopable } from "../../infra/iam/unscopable-actions.ts";
import { containerUser } from "../../infra/task-definition.ts";
import { adapterActions } from "./support/adapter-actions.ts";
import { Compute } from "../../infra/compute.ts";
import { fakeAccountId, loadProgram, oneResource, sandboxPrefix, settle, type RecordedResource } from "./support/pulumi-mocks.ts";

type Container = {
  name: string;
  image: string;
  user: string;
  readonlyRootFilesystem: boolean;
  essential: boolean;
  environment: { name: string; value: string }[];
  mountPoints: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
  logConfiguration: { logDriver: string; options: Record<string, string> };
};

describe("Compute", () => {
  let outputs: Record<string, unknown>;
  let taskDefinition: RecordedResource;
  let container: Container;
  before(async () => {
    ({ outputs } = await loadProgram());
    taskDefinition = oneResource("aws:ecs/taskDefinition:TaskDefinition");
    const containers = JSON.parse(String(taskDefinition.inputs.containerDefinitions)) as Container[];
    assert.equal(containers.length, 1);
    container = containers[0]!;
  });

  const role = (prefix: string) => oneResource("aws:iam/role:Role", prefix);
  const policyOf = (prefix: string) => parsePolicyDocument(oneResource("aws:iam/rolePolicy:RolePolicy", prefix).inputs.policy);

  describe("cluster and logs", () => {
    it("turns Container Insights on for the cluster", () => {
      const cluster = oneResource("aws:ecs/cluster:Cluster");
      assert.deepEqual(cluster.inputs.settings, [{ name: "containerInsights", value: "enabled" }]);
      assert.equal(outputs.clusterArn, cluster.state.arn);
    });

    it("keeps the task's logs for the configured retention", () => {
      const logGroup = oneResource("aws:cloudwatch/logGroup:LogGroup");
      assert.equal(logGroup.inputs.retentionInDays, 30);
      assert.equal(outputs.logGroupName, "/cti-etl/dev/task");
    });
  });

  describe("task definition", () => {
    it("is a Fargate task with the configured size, architecture and ephemeral storage", () => {
      assert.deepEqual(taskDefinition.inputs.requiresCompatibilities, ["FARGATE"]);
      assert.equal(taskDefinition.inputs.networkMode, "awsvpc");
      assert.equal(taskDefinition.inputs.cpu, "1024");
      assert.equal(taskDefinition.inputs.memory, "2048");
      assert.deepEqual(taskDefinition.inputs.runtimePlatform, { operatingSystemFamily: "LINUX", cpuArchitecture: "ARM64" });
      assert.deepEqual(taskDefinition.inputs.ephemeralStorage, { sizeInGib: 21 });
      assert.equal(outputs.taskDefinitionFamily, "cti-etl-dev");
      assert.equal(outputs.taskDefinitionArn, taskDefinition.state.arn);
    });

    it("runs the image built by the registry, referenced by digest", () => {
      assert.equal(container.image, outputs.imageUri);
      assert.match(container.image, /@sha256:[0-9a-f]{64}$/);
    });

    it("runs as a non-root user on a read-only root filesystem, with a writable scratch volume", () => {
      assert.equal(container.user, containerUser);
      assert.equal(container.readonlyRootFilesystem, true);
      const volumes = taskDefinition.inputs.volumes as { name: string }[];
      assert.deepEqual(container.mountPoints, [{ sourceVolume: volumes[0]!.name, containerPath: "/tmp", readOnly: false }]);
    });

    it("ships its output to the log group through awslogs", () => {
      assert.equal(container.logConfiguration.logDriver, "awslogs");
      assert.equal(container.logConfiguration.options["awslogs-group"], outputs.logGroupName);
      assert.equal(container.logConfiguration.options["awslogs-region"], "us-east-1");
    });

    it("sets exactly the environment variables the task's schema requires", () => {
      assert.deepEqual(container.environment.map((v) => v.name).sort(), requiredEnvironmentKeys(redshiftTaskEnvironment).sort());
    });

    it("sets values the task's schema accepts", () => {
      const environment = Object.fromEntries(container.environment.map((v) => [v.name, v.value]));
      const checked = redshiftTaskEnvironment(environment);
      assert.ok(!(checked instanceof type.errors), String(checked));
    });

    it("points the task at this stack's bucket, workgroup, database, table and COPY role", () => {
      const environment = Object.fromEntries(container.environment.map((v) => [v.name, v.value]));
      assert.deepEqual(environment, {
        CTI_INPUT: outputs.inputUri,
        CTI_OUTPUT: `s3://${String(outputs.bucketName)}/runs/`,
        CTI_TABLE: "public.cti_records",
        CTI_REDSHIFT_WORKGROUP: outputs.workgroupName,
        CTI_REDSHIFT_DATABASE: "cti",
        CTI_REDSHIFT_COPY_ROLE_ARN: outputs.copyRoleArn,
      });
    });

    it("uses the execution role and the task role", () => {
      assert.equal(taskDefinition.inputs.executionRoleArn, role("cti-etl-compute-execution-role").state.arn);
      assert.equal(taskDefinition.inputs.taskRoleArn, role("cti-etl-compute-task-role").state.arn);
    });
  });

  describe("execution role", () => {
    it("may pull this repository's image and write to this log group, nothing else", () => {
      const statements = policyOf("cti-etl-compute-execution-policy");
      const repositoryArn = oneResource("aws:ecr/repository:Repository").state.arn;
      const logGroupArn = String(oneResource("aws:cloudwatch/logGroup:LogGroup").state.arn);
      assert.deepEqual(
        statements.map((s) => [s.actions, s.resources]),
        [
          [["ecr:GetAuthorizationToken"], ["*"]],
          [["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], [repositoryArn]],
          [["logs:CreateLogStream", "logs:PutLogEvents"], [logGroupArn, `${logGroupArn}:log-stream:*`]],
        ],
      );
    });

    it("is assumed by ECS tasks", () => {
      const trust = parsePolicyDocument(role("cti-etl-compute-execution-role").inputs.assumeRolePolicy);
      assert.deepEqual(trust.map((s) => [s.actions, s.principal]), [[["sts:AssumeRole"], { Service: ["ecs-tasks.amazonaws.com"] }]]);
    });
  });

  describe("task role", () => {
    it("grants exactly the actions the task's adapters call, nothing more", () => {
      const granted = [...new Set(policyOf("cti-etl-compute-task-policy").flatMap((s) => s.actions))].sort();
      assert.deepEqual(granted, adapterActions());
    });

    it("scopes every scopable action to this bucket's prefixes or this workgroup", () => {
      const bucketArn = `arn:aws:s3:::${String(outputs.bucketName)}`;
      const workgroupArn = oneResource("aws:redshiftserverless/workgroup:Workgroup").state.arn;
      const allowed = [bucketArn, `${bucketArn}/input/*`, `${bucketArn}/runs/*`, `${bucketArn}/runs/_lease/lease.json`, workgroupArn];
      for (const statement of policyOf("cti-etl-compute-task-policy")) {
        if (statement.resources.includes("*")) assert.ok(statement.actions.every(isUnscopable), statement.sid);
        else for (const resource of statement.resources) assert.ok(allowed.includes(resource), `${statement.sid}: ${resource}`);
      }
    });

    it("is assumed only by ECS tasks of this account", () => {
      const [trust] = parsePolicyDocument(role("cti-etl-compute-task-role").inputs.assumeRolePolicy);
      assert.deepEqual(trust?.principal, { Service: ["ecs-tasks.amazonaws.com"] });
      assert.deepEqual(trust?.condition, {
        ArnLike: { "aws:SourceArn": [`arn:aws:ecs:us-east-1:${fakeAccountId}:*`] },
        StringEquals: { "aws:SourceAccount": [fakeAccountId] },
      });
    });

    it("may delete only the run lease object", () => {
      const deleting = policyOf("cti-etl-compute-task-policy").filter((s) => s.actions.includes("s3:DeleteObject"));
      assert.deepEqual(deleting.flatMap((s) => s.resources), [`arn:aws:s3:::${String(outputs.bucketName)}/runs/_lease/lease.json`]);
    });

    it("is attached to the role the task definition uses", () => {
      assert.equal(oneResource("aws:iam/rolePolicy:RolePolicy", "cti-etl-compute-task-policy").inputs.role, role("cti-etl-compute-task-role").state.id);
    });
  });

  describe("with notification secrets (a sandbox component)", () => {
    const name = `${sandboxPrefix}compute-secrets`;
    const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cti-etl/pagerduty-AbC123";
    let sandboxContainer: Container & { secrets?: { name: string; valueFrom: string }[] };
    before(async () => {
      new Compute(name, {
        region: "us-east-1",
        clusterName: "sandbox",
        taskFamily: "sandbox",
        containerName: "etl",
        logGroupName: "/sandbox/task",
        logRetentionDays: 30,
        cpu: 1024,
        memory: 2048,
        cpuArchitecture: "ARM64",
        ephemeralStorageGiB: 21,
        imageUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/task@sha256:" + "a".repeat(64),
        repositoryArn: "arn:aws:ecr:us-east-1:123456789012:repository/task",
        bucketArn: "arn:aws:s3:::sandbox",
        workgroupArn: "arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/sandbox",
        secrets: { CTI_PAGERDUTY_ROUTING_KEY: arn },
        environment: {
          bucket: "sandbox",
          inputPrefix: "input/",
          outputPrefix: "runs/",
          table: "public.cti_records",
          workgroup: "sandbox",
          database: "cti",
          copyRoleArn: "arn:aws:iam::123456789012:role/copy",
        },
      });
      await settle();
      const definition = oneResource("aws:ecs/taskDefinition:TaskDefinition", name);
      sandboxContainer = (JSON.parse(String(definition.inputs.containerDefinitions)) as (typeof sandboxContainer)[])[0]!;
    });

    it("has ECS inject them into the container, by ARN", () => {
      assert.deepEqual(sandboxContainer.secrets, [{ name: "CTI_PAGERDUTY_ROUTING_KEY", valueFrom: arn }]);
      assert.ok(!sandboxContainer.environment.some((v) => v.name === "CTI_PAGERDUTY_ROUTING_KEY"));
    });

    it("lets the execution role read exactly those secrets", () => {
      const statements = parsePolicyDocument(oneResource("aws:iam/rolePolicy:RolePolicy", `${name}-execution`).inputs.policy);
      const read = statements.filter((s) => s.actions.some((a) => a.startsWith("secretsmanager:")));
      assert.deepEqual(read.map((s) => [s.actions, s.resources]), [[["secretsmanager:GetSecretValue"], [arn]]]);
    });

    it("leaves the deployed stack's task without secrets (none configured in dev)", () => {
      assert.equal("secrets" in container, false);
    });
  });
});
