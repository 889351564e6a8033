import assert from "node:assert/strict";
import { containerUser, scratchMount, stopTimeoutSeconds } from "../../../infra/task-definition.ts";
import { loadProgram, oneResource } from "../../infra/support/pulumi-mocks.ts";
import { dockerRunArgs, type FargateRunRequest, type TaskDefinitionInputs } from "./docker-run-args.ts";

/** The values of every `--flag value` pair of `args` for one flag. */
function values(args: readonly string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
}
const has = (args: readonly string[], flag: string) => args.includes(flag);

describe("dockerRunArgs", function () {
  this.timeout(60_000);
  let td: TaskDefinitionInputs;
  let container: Record<string, unknown>;
  before(async () => {
    await loadProgram();
    td = oneResource("aws:ecs/taskDefinition:TaskDefinition").inputs as unknown as TaskDefinitionInputs;
    container = (JSON.parse(td.containerDefinitions) as Record<string, unknown>[])[0]!;
  });
  const request = (over: Partial<FargateRunRequest> = {}): FargateRunRequest => ({
    taskDefinition: td,
    image: "sha256:local",
    imageVolumes: [],
    name: "cti-run-1",
    scratchRoot: "/var/tmp/cti-run-1/",
    region: "us-east-1",
    metadataUri: "http://127.0.0.1:4321/v4/abc",
    ...over,
  });

  it("runs the program's container with its user, read-only root, init process, stop timeout and the task's cpu and memory (no swap)", () => {
    const plan = dockerRunArgs(request());
    assert.deepEqual(values(plan.args, "--user"), [containerUser]);
    assert.ok(has(plan.args, "--read-only") && has(plan.args, "--init"));
    assert.deepEqual(values(plan.args, "--stop-timeout"), [String(stopTimeoutSeconds)]);
    assert.equal(plan.stopTimeoutSeconds, stopTimeoutSeconds);
    assert.deepEqual(values(plan.args, "--cpus"), [String(Number(td.cpu) / 1024)]);
    assert.deepEqual(values(plan.args, "--memory"), [`${td.memory}m`]);
    assert.deepEqual(values(plan.args, "--memory-swap"), [`${td.memory}m`]);
    assert.deepEqual(values(plan.args, "--network"), ["host"]);
    assert.deepEqual(values(plan.args, "--name"), ["cti-run-1"]);
    assert.equal(plan.args.at(-1), "sha256:local", "no command: the image's entry point runs without arguments");
  });

  it("gives the container the task definition's environment and what the ECS agent sets, nothing else", () => {
    const plan = dockerRunArgs(request());
    const declared = Object.fromEntries((container.environment as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    const agent = { AWS_EXECUTION_ENV: "AWS_ECS_FARGATE", AWS_REGION: "us-east-1", AWS_DEFAULT_REGION: "us-east-1", ECS_CONTAINER_METADATA_URI_V4: "http://127.0.0.1:4321/v4/abc" };
    assert.deepEqual(plan.environment, { ...declared, ...agent });
    assert.deepEqual(values(plan.args, "--env").sort(), Object.entries({ ...declared, ...agent }).map(([k, v]) => `${k}=${v}`).sort());
  });

  it("mounts the scratch volume as a fresh empty host directory when the image declares no VOLUME there", () => {
    const plan = dockerRunArgs(request());
    assert.deepEqual(plan.directories, [{ path: `/var/tmp/cti-run-1/${scratchMount.volume}`, containerPath: scratchMount.containerPath }]);
    assert.deepEqual(plan.namedVolumes, []);
    assert.deepEqual(values(plan.args, "--mount"), [`type=bind,source=/var/tmp/cti-run-1/${scratchMount.volume},target=${scratchMount.containerPath}`]);
  });

  it("mounts a fresh named volume, which docker fills from the image, when the image declares a VOLUME at the mount's path", () => {
    const plan = dockerRunArgs(request({ imageVolumes: [`${scratchMount.containerPath}/`] }));
    assert.deepEqual(plan.namedVolumes, [{ name: `cti-run-1-${scratchMount.volume}`, containerPath: scratchMount.containerPath }]);
    assert.deepEqual(plan.directories, []);
    assert.deepEqual(values(plan.args, "--mount"), [`type=volume,source=cti-run-1-${scratchMount.volume},target=${scratchMount.containerPath}`]);
  });

  it("applies run-task overrides: environment replaced or added by name, command after the image", () => {
    const plan = dockerRunArgs(
      request({
        overrides: { containerOverrides: [{ name: String(container.name), environment: [{ name: "CTI_INPUT", value: "s3://b/other/" }, { name: "CTI_WORKERS", value: "2" }], command: ["run", "--help"] }] },
      }),
    );
    assert.equal(plan.environment.CTI_INPUT, "s3://b/other/");
    assert.equal(plan.environment.CTI_WORKERS, "2");
    assert.equal(values(plan.args, "--env").filter((e) => e.startsWith("CTI_INPUT=")).length, 1);
    assert.deepEqual(plan.args.slice(-3), ["sha256:local", "run", "--help"]);
    assert.throws(() => dockerRunArgs(request({ overrides: { containerOverrides: [{ name: "other", environment: [] }] } })), /override for container other/);
  });

  it("translates task cpu units and MiB for other sizes", () => {
    const plan = dockerRunArgs(request({ taskDefinition: { ...td, cpu: "256", memory: "1024" } }));
    assert.deepEqual([values(plan.args, "--cpus"), values(plan.args, "--memory")], [["0.25"], ["1024m"]]);
  });

  it("injects secrets' values by their ARN, and refuses to start without one, as ECS does", () => {
    const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:hook-AbCdEf";
    const withSecret = { ...td, containerDefinitions: JSON.stringify([{ ...container, secrets: [{ name: "CTI_WEBHOOK_URL", valueFrom: arn }] }]) };
    const plan = dockerRunArgs(request({ taskDefinition: withSecret, secretValues: { [arn]: "https://127.0.0.1:9/hook" } }));
    assert.equal(plan.environment.CTI_WEBHOOK_URL, "https://127.0.0.1:9/hook");
    assert.throws(() => dockerRunArgs(request({ taskDefinition: withSecret })), /secret CTI_WEBHOOK_URL .* has no value/);
  });

  it("sets stand-ins (credentials, endpoints) last, and says what it leaves out", () => {
    const plan = dockerRunArgs(request({ standIns: { AWS_ACCESS_KEY_ID: "k", AWS_ENDPOINT_URL_S3: "http://127.0.0.1:1" } }));
    assert.equal(plan.environment.AWS_ENDPOINT_URL_S3, "http://127.0.0.1:1");
    for (const what of [/awsvpc/, /runtimePlatform/, /taskRoleArn/, /awslogs/]) assert.ok(plan.notTranslated.some((n) => what.test(n)), String(what));
  });

  it("refuses a setting it has no translation for, instead of dropping it", () => {
    assert.throws(() => dockerRunArgs(request({ taskDefinition: { ...td, pidMode: "task" } })), /task definition key pidMode/);
    const withUlimits = { ...td, containerDefinitions: JSON.stringify([{ ...container, ulimits: [] }]) };
    assert.throws(() => dockerRunArgs(request({ taskDefinition: withUlimits })), /container definition key ulimits/);
    const withCaps = { ...td, containerDefinitions: JSON.stringify([{ ...container, linuxParameters: { initProcessEnabled: true, capabilities: {} } }]) };
    assert.throws(() => dockerRunArgs(request({ taskDefinition: withCaps })), /linuxParameters.capabilities/);
    assert.throws(() => dockerRunArgs(request({ taskDefinition: { ...td, volumes: [{ name: "scratch", efsVolumeConfiguration: {} }] } })), /efsVolumeConfiguration/);
  });
});
