/**
 * The Fargate task definition the Pulumi program declares, translated into `docker run`
 * arguments (pure): what the container tests run, so the image is started with the settings
 * it gets on Fargate and nothing written again by hand. Every task-definition and
 * container-definition key is either translated or named in {@link DockerRunPlan.notTranslated};
 * an unknown key throws, so a setting the program adds later cannot pass untested unnoticed.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
 */

/** The `aws:ecs/taskDefinition:TaskDefinition` inputs as the program passes them (Pulumi's names). */
export interface TaskDefinitionInputs {
  readonly family: string;
  /** Task CPU units as a string: 1024 = 1 vCPU. */
  readonly cpu?: string;
  /** Task memory in MiB as a string. */
  readonly memory?: string;
  /** The container definitions as JSON text (the provider's form). */
  readonly containerDefinitions: string;
  readonly volumes?: readonly Record<string, unknown>[];
  readonly [key: string]: unknown;
}

/** One entry of `aws ecs run-task --overrides`' `containerOverrides`. */
export interface ContainerOverride {
  /** Container the override is for. */
  readonly name: string;
  /** Added to the container's environment, replacing variables of the same name. */
  readonly environment?: readonly { readonly name: string; readonly value: string }[];
  /** Replaces the image's CMD (the arguments after the entry point). */
  readonly command?: readonly string[];
}

/** What {@link dockerRunArgs} translates. */
export interface FargateRunRequest {
  /** The task definition, from the program under mocks. */
  readonly taskDefinition: TaskDefinitionInputs;
  /** Local image to run instead of the task definition's ECR digest, e.g. an image id. */
  readonly image: string;
  /**
   * Paths the image declares as `VOLUME` (`docker image inspect` `.Config.Volumes`): a task
   * volume mounted at one of them starts with the image's content there, as Fargate copies it.
   */
  readonly imageVolumes: readonly string[];
  /** Docker container name, unique per run; also the prefix of the named volumes made for it. */
  readonly name: string;
  /** Host directory under which the empty directories of plain bind mounts are made. */
  readonly scratchRoot: string;
  /** Region the task runs in: ECS sets `AWS_REGION` and `AWS_DEFAULT_REGION` to it. */
  readonly region: string;
  /** `ECS_CONTAINER_METADATA_URI_V4`, e.g. `http://127.0.0.1:40123/v4/<id>` (the stand-in). */
  readonly metadataUri: string;
  /** Secret values by `valueFrom` ARN, as ECS fetches them from Secrets Manager at start. */
  readonly secretValues?: Readonly<Record<string, string>>;
  /** `aws ecs run-task --overrides`; only `containerOverrides` environment and command. */
  readonly overrides?: { readonly containerOverrides?: readonly ContainerOverride[] };
  /**
   * Variables that stand in for what a real task gets from outside its definition: static
   * credentials for the task role, `AWS_ENDPOINT_URL_*` for the routes to AWS. Set last.
   */
  readonly standIns?: Readonly<Record<string, string>>;
  /** Container to run; default the task's only essential one. */
  readonly containerName?: string;
}

/** `docker run` arguments and what must exist before, and be removed after, the run. */
export interface DockerRunPlan {
  /** Arguments after `docker run`: options, the image, then the command override if any. */
  readonly args: readonly string[];
  /** Fresh docker named volumes (created by `docker run`, removed by the caller). */
  readonly namedVolumes: readonly { readonly name: string; readonly containerPath: string }[];
  /** Fresh empty host directories the caller makes, owned by root, mode 0755. */
  readonly directories: readonly { readonly path: string; readonly containerPath: string }[];
  /** Seconds between SIGTERM and SIGKILL on `docker stop`. */
  readonly stopTimeoutSeconds: number;
  /** Task settings left out, with why. */
  readonly notTranslated: readonly string[];
  /** The environment the container gets, by name (for assertions and logs). */
  readonly environment: Readonly<Record<string, string>>;
}

/** ECS's default stop timeout (seconds) when the container definition sets none. */
export const DEFAULT_STOP_TIMEOUT_SECONDS = 30;

/** Task-definition keys that cannot be reproduced by one `docker run` here, and why. */
const untranslatedTaskKeys: Record<string, string> = {
  networkMode: "networkMode awsvpc: the container uses the host's network to reach the stand-ins on 127.0.0.1 (no ENI, security groups or VPC endpoints)",
  requiresCompatibilities: "requiresCompatibilities: FARGATE is taken as given",
  runtimePlatform: "runtimePlatform: the image runs on this machine's architecture, not the task's",
  ephemeralStorage: "ephemeralStorage: bind mounts live on the Docker host's disk, with no size limit",
  executionRoleArn: "executionRoleArn: no image pull or log delivery; secrets come from the caller",
  taskRoleArn: "taskRoleArn: static credentials in the environment stand in for the task role",
};
const translatedTaskKeys = new Set(["family", "cpu", "memory", "containerDefinitions", "volumes"]);

/** Container-definition keys translated below, and those deliberately left out. */
const translatedContainerKeys = new Set([
  "name", "image", "essential", "user", "readonlyRootFilesystem", "mountPoints", "environment", "secrets", "linuxParameters", "stopTimeout",
]);
const untranslatedContainerKeys: Record<string, string> = {
  logConfiguration: "logConfiguration awslogs: logs stay in Docker's json-file log, read with `docker logs`",
};

/**
 * Translates the task definition into `docker run` arguments, as Fargate would start the
 * container: environment (plus overrides, secrets and the variables the ECS agent sets), user,
 * read-only root, the task's volumes with Fargate's bind-mount semantics, task cpu and memory as
 * container limits (no swap, as on Fargate), the init process and the stop timeout.
 * @throws Error for a setting it cannot translate, an override of an unknown container, or a
 *   secret without a value (ECS would fail to start the task).
 */
export function dockerRunArgs(request: FargateRunRequest): DockerRunPlan {
  const td = request.taskDefinition;
  const notTranslated: string[] = [];
  for (const key of Object.keys(td)) {
    if (translatedTaskKeys.has(key)) continue;
    const why = untranslatedTaskKeys[key];
    if (!why) throw new Error(`task definition key ${key} has no docker translation: add one to test/support/fargate/docker-run-args.ts`);
    notTranslated.push(why);
  }
  const container = pickContainer(JSON.parse(td.containerDefinitions) as Record<string, unknown>[], request.containerName);
  for (const key of Object.keys(container)) {
    if (translatedContainerKeys.has(key)) continue;
    const why = untranslatedContainerKeys[key];
    if (!why) throw new Error(`container definition key ${key} has no docker translation: add one to test/support/fargate/docker-run-args.ts`);
    notTranslated.push(why);
  }
  const name = String(container.name);
  const args: string[] = ["--name", request.name, "--label", `cti-etl.fargate-run=${request.name}`, "--network", "host"];

  // Task-level limits: CPU units (1024 per vCPU) and MiB. Fargate has no swap.
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
  if (td.cpu !== undefined) args.push("--cpus", String(positiveNumber(td.cpu, "cpu") / 1024));
  if (td.memory !== undefined) {
    const mib = positiveNumber(td.memory, "memory");
    args.push("--memory", `${mib}m`, "--memory-swap", `${mib}m`);
  }
  if (container.user !== undefined) args.push("--user", String(container.user));
  if (container.readonlyRootFilesystem === true) args.push("--read-only");

  const linux = (container.linuxParameters ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(linux)) {
    if (key !== "initProcessEnabled") throw new Error(`linuxParameters.${key} has no docker translation`);
  }
  // ECS's init process is docker's --init (tini): it reaps children and forwards signals.
  if (linux.initProcessEnabled === true) args.push("--init");
  const stopTimeoutSeconds = container.stopTimeout === undefined ? DEFAULT_STOP_TIMEOUT_SECONDS : positiveNumber(container.stopTimeout, "stopTimeout");
  args.push("--stop-timeout", String(stopTimeoutSeconds));

  const { mounts, namedVolumes, directories } = volumeMounts(request, container);
  args.push(...mounts);

  const environment = containerEnvironment(request, container, name);
  for (const [key, value] of Object.entries(environment)) args.push("--env", `${key}=${value}`);

  args.push(request.image);
  const override = request.overrides?.containerOverrides?.find((o) => o.name === name);
  if (override?.command) args.push(...override.command);
  return { args, namedVolumes, directories, stopTimeoutSeconds, notTranslated, environment };
}

function pickContainer(containers: Record<string, unknown>[], wanted: string | undefined): Record<string, unknown> {
  const found = wanted === undefined ? containers.filter((c) => c.essential !== false) : containers.filter((c) => c.name === wanted);
  if (found.length !== 1) throw new Error(`expected one ${wanted ? `container named ${wanted}` : "essential container"}, found ${found.length}`);
  return found[0]!;
}

function positiveNumber(value: unknown, what: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${what} must be a positive number, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * Fargate's bind mounts: a task volume with no host path is created empty, owned by root, mode
 * 0755, unless the image declares a `VOLUME` at the mount's container path; then the image's
 * content there, and its ownership, is copied into it. A fresh docker named volume does the
 * same copy; a fresh empty host directory stands in for the other case.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html
 * @see https://github.com/aws/containers-roadmap/issues/938
 */
function volumeMounts(request: FargateRunRequest, container: Record<string, unknown>) {
  const volumes = new Map((request.taskDefinition.volumes ?? []).map((v) => [String(v.name), v]));
  for (const [volumeName, volume] of volumes) {
    const extra = Object.keys(volume).filter((k) => k !== "name");
    if (extra.length > 0) throw new Error(`volume ${volumeName}: ${extra.join(", ")} has no docker translation (only Fargate bind mounts)`);
  }
  const imageVolumes = new Set(request.imageVolumes.map(normalPath));
  const mounts: string[] = [];
  const namedVolumes: { name: string; containerPath: string }[] = [];
  const directories: { path: string; containerPath: string }[] = [];
  for (const point of (container.mountPoints ?? []) as { sourceVolume: string; containerPath: string; readOnly?: boolean }[]) {
    if (!volumes.has(point.sourceVolume)) throw new Error(`mount point ${point.containerPath} names volume ${point.sourceVolume}, which the task does not declare`);
    const target = normalPath(point.containerPath);
    const readOnly = point.readOnly === true ? ",readonly" : "";
    if (imageVolumes.has(target)) {
      const name = `${request.name}-${point.sourceVolume}`;
      if (!namedVolumes.some((v) => v.name === name)) namedVolumes.push({ name, containerPath: target });
      mounts.push("--mount", `type=volume,source=${name},target=${target}${readOnly}`);
    } else {
      const path = `${request.scratchRoot.replace(/\/+$/, "")}/${point.sourceVolume}`;
      if (!directories.some((d) => d.path === path)) directories.push({ path, containerPath: target });
      mounts.push("--mount", `type=bind,source=${path},target=${target}${readOnly}`);
    }
  }
  return { mounts, namedVolumes, directories };
}

function normalPath(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

/**
 * The container's environment as ECS builds it: the definition's variables, replaced or added
 * to by the run's overrides, the secrets' values, then what the agent sets on Fargate.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4-fargate.html
 * @see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerOverride.html
 */
function containerEnvironment(request: FargateRunRequest, container: Record<string, unknown>, name: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { name: key, value } of (container.environment ?? []) as { name: string; value: string }[]) env[key] = value;
  for (const override of request.overrides?.containerOverrides ?? []) {
    if (override.name !== name) throw new Error(`override for container ${override.name}, which the task does not have`);
    for (const { name: key, value } of override.environment ?? []) env[key] = value;
  }
  for (const { name: key, valueFrom } of (container.secrets ?? []) as { name: string; valueFrom: string }[]) {
    const value = request.secretValues?.[valueFrom];
    if (value === undefined) throw new Error(`secret ${key} (${valueFrom}) has no value: ECS would fail to start the task`);
    env[key] = value;
  }
  env.AWS_EXECUTION_ENV = "AWS_ECS_FARGATE";
  env.AWS_REGION = request.region;
  env.AWS_DEFAULT_REGION = request.region;
  env.ECS_CONTAINER_METADATA_URI_V4 = request.metadataUri;
  return { ...env, ...request.standIns };
}
