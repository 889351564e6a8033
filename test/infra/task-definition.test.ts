import assert from "node:assert/strict";
import { type } from "arktype";
import { redshiftTaskEnvironment, requiredEnvironmentKeys } from "../../task/src/config/task-environment.ts";
import { environmentSchema } from "../../task/src/config/environment.ts";
import { parseSettings } from "../../task/src/config/settings.ts";
import { selectWarehouse } from "../../task/src/config/warehouse-selection.ts";
import { containerDefinitions, containerUser, scratchMount, taskEnvironment } from "../../infra/task-definition.ts";

const environmentArgs = {
  bucket: "cti-data",
  inputPrefix: "input/",
  outputPrefix: "runs/",
  table: "public.cti_records",
  workgroup: "cti-etl-dev-wg",
  database: "cti",
  copyRoleArn: "arn:aws:iam::123456789012:role/copy",
};

describe("task-definition", () => {
  describe("taskEnvironment", () => {
    const environment = taskEnvironment(environmentArgs);

    it("sets exactly the variables the task's environment schema requires", () => {
      assert.deepEqual(Object.keys(environment).sort(), requiredEnvironmentKeys(redshiftTaskEnvironment).sort());
    });

    it("produces values the task accepts", () => {
      const checked = redshiftTaskEnvironment(environment);
      assert.ok(!(checked instanceof type.errors), String(checked));
    });

    it("is what the job, started with no arguments, parses into a run loading into Redshift", () => {
      const settings = parseSettings([], environment);
      assert.ok(settings.command.command === "run");
      assert.deepEqual([settings.command.input, settings.command.output], [environment.CTI_INPUT, environment.CTI_OUTPUT]);
      assert.equal(selectWarehouse(settings.warehouse)?.config.kind, "redshift");
    });

    it("is typed and checked by a narrowing of the job's own environment schema", () => {
      const keys = environmentSchema.props.map((p) => String(p.key));
      assert.ok(redshiftTaskEnvironment.props.every((p) => keys.includes(String(p.key))));
      // What the job refuses, the deployed schema refuses too.
      assert.ok(redshiftTaskEnvironment({ ...environment, CTI_WORKERS: "0" }) instanceof type.errors);
    });

    it("points input and output at the bucket's prefixes", () => {
      assert.equal(environment.CTI_INPUT, "s3://cti-data/input/");
      assert.equal(environment.CTI_OUTPUT, "s3://cti-data/runs/");
    });
  });

  describe("containerDefinitions", () => {
    const [container] = containerDefinitions({
      name: "etl",
      image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/task@sha256:" + "a".repeat(64),
      environment: { B: "2", A: "1" },
      logGroup: "/cti-etl/dev/task",
      region: "us-east-1",
    }) as [Record<string, unknown>];

    it("runs as the non-root user on a read-only root filesystem", () => {
      assert.equal(container.user, containerUser);
      assert.doesNotMatch(containerUser, /^0(:|$)|^root/);
      assert.equal(container.readonlyRootFilesystem, true);
    });

    it("mounts the scratch volume writable at /tmp", () => {
      assert.deepEqual(container.mountPoints, [{ sourceVolume: scratchMount.volume, containerPath: "/tmp", readOnly: false }]);
    });

    it("ships logs to the log group with awslogs", () => {
      assert.deepEqual(container.logConfiguration, {
        logDriver: "awslogs",
        options: { "awslogs-group": "/cti-etl/dev/task", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "task" },
      });
    });

    it("lists the environment sorted by name", () => {
      assert.deepEqual(container.environment, [{ name: "A", value: "1" }, { name: "B", value: "2" }]);
    });

    it("is essential and uses the image as given", () => {
      assert.equal(container.essential, true);
      assert.match(String(container.image), /@sha256:[0-9a-f]{64}$/);
    });

    it("has no secrets unless some are configured", () => {
      assert.equal("secrets" in container, false);
    });

    it("takes configured secrets from Secrets Manager by ARN, sorted, never into the environment", () => {
      const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:cti-etl/${name}-AbC123`;
      const [withSecrets] = containerDefinitions({
        name: "etl",
        image: "img",
        environment: { A: "1" },
        secrets: { CTI_WEBHOOK_URL: arn("webhook"), CTI_HEARTBEAT_URL: arn("heartbeat") },
        logGroup: "/cti-etl/dev/task",
        region: "us-east-1",
      }) as [Record<string, unknown>];
      assert.deepEqual(withSecrets.secrets, [
        { name: "CTI_HEARTBEAT_URL", valueFrom: arn("heartbeat") },
        { name: "CTI_WEBHOOK_URL", valueFrom: arn("webhook") },
      ]);
      assert.deepEqual(withSecrets.environment, [{ name: "A", value: "1" }]);
    });
  });
});
