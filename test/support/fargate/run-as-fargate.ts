/**
 * Runs the task image as Fargate runs it: the container started from the program's own task
 * definition (under Pulumi mocks) through {@link dockerRunArgs}, with the stand-ins a task
 * reaches: the ECS task metadata endpoint v4 (task-metadata-endpoint.ts), S3 (the local
 * radosgw) and the Redshift Data API (the emulator), both on 127.0.0.1 through the host's
 * network, and static credentials standing in for the task role.
 *
 * Each run gets a unique container name; the container, its named volumes and its scratch
 * directories are removed by id when the run ends, and {@link removeFargateRuns} (call it from
 * an `after` hook) removes whatever a failed test left.
 */
import { readFile } from "node:fs/promises";
import { watch, type FSWatcher } from "node:fs";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { docker, removeContainer, removeVolume, uniqueName } from "../docker/engine.ts";
import { fakeAccountId, loadProgram, oneResource, readStackConfig } from "../../infra/support/pulumi-mocks.ts";
import { onSuiteTeardown } from "../global-fixtures.ts";
import { runCommand } from "../processes.ts";
import type { S3TestEndpoint } from "../s3-server.ts";
import { dockerRunArgs, type ContainerOverride, type DockerRunPlan, type TaskDefinitionInputs } from "./docker-run-args.ts";
import { startTaskMetadataEndpoint } from "./task-metadata-endpoint.ts";

/** The program's task definition, as the mocks recorded it. */
export async function programTaskDefinition(): Promise<TaskDefinitionInputs> {
  await loadProgram();
  return oneResource("aws:ecs/taskDefinition:TaskDefinition").inputs as unknown as TaskDefinitionInputs;
}

/** One run. */
export interface FargateRunOptions {
  /** Image id or tag, e.g. from `taskImage()`. */
  readonly image: string;
  /** The local S3 server: its endpoint and keys go into the container. */
  readonly s3: S3TestEndpoint;
  /** The Data API emulator's endpoint (`AWS_ENDPOINT_URL_REDSHIFT_DATA`). */
  readonly redshiftDataEndpoint?: string;
  /** `aws ecs run-task --overrides` for the task's container: environment and command. */
  readonly override?: Omit<ContainerOverride, "name">;
  /** Task definition to run; default the program's. */
  readonly taskDefinition?: TaskDefinitionInputs;
  /** Have the metadata stand-in leave out the task's memory limit. Default false. */
  readonly metadataWithoutMemoryLimit?: boolean;
  /**
   * Host paths bind-mounted into the container, standing in for S3 when the data outgrows the
   * local server; not part of the task definition. A writable one is made the task user's.
   */
  readonly extraMounts?: readonly { readonly hostPath: string; readonly containerPath: string; readonly readOnly?: boolean }[];
  /** Called once the container runs, e.g. to stop it at a chosen moment; the run waits for it. */
  readonly whileRunning?: (container: RunningContainer) => Promise<void>;
}

/** A container while it runs. */
export interface RunningContainer {
  readonly id: string;
  readonly name: string;
  /** What it wrote so far: stdout and stderr. */
  logs(): Promise<{ stdout: string; stderr: string }>;
  /** `docker stop`: SIGTERM, then SIGKILL after the task definition's stop timeout. */
  stop(): Promise<void>;
  /** True while the container runs. */
  running(): Promise<boolean>;
}

/** How a run ended. */
export interface FargateRunResult {
  /** The container's exit code: 0, 1, 2, 137 (SIGKILL, e.g. the OOM killer), 143 (SIGTERM). */
  readonly exitCode: number;
  /** Docker's `State.OOMKilled`. */
  readonly oomKilled: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** From the container's start to its exit (Docker's StartedAt / FinishedAt), ms. */
  readonly wallMs: number;
  /**
   * Highest memory use of the container's cgroup while it ran (v1 `memory.max_usage_in_bytes`,
   * v2 `memory.peak`), bytes. It counts the page cache of files the container read or wrote.
   */
  readonly peakMemoryBytes: number | undefined;
  /** Highest anonymous memory (v1 `memory.stat` `total_rss`, v2 `anon`) sampled every 100 ms, bytes: the processes' own. */
  readonly peakRssBytes: number | undefined;
  /** The task ARN the metadata stand-in reported. */
  readonly taskArn: string;
  /** Requests the job made to the metadata stand-in's `/task`. */
  readonly metadataRequests: number;
  /** The translation that started it. */
  readonly plan: DockerRunPlan;
  /**
   * Names created at the top of each scratch mount while the container ran (inotify on the
   * host side of the mount), by container path: e.g. `/tmp` → `["cti-etl-dedup-Ab12Cd"]`.
   */
  readonly scratchEntries: Readonly<Record<string, readonly string[]>>;
  /** Owner `uid:gid` and mode (octal) of each scratch mount's root as the container saw it at the end. */
  readonly scratchRoots: Readonly<Record<string, string>>;
  /** The run's last stdout line parsed as JSON (the job's summary), if it is one. */
  readonly summary: Record<string, unknown> | undefined;
}

interface Leftovers {
  /** The container's name: removed by it only when `docker run` failed before printing an id. */
  name: string;
  containerId?: string;
  watchers?: FSWatcher[];
  volumes: string[];
  dirs: string[];
}
const live = new Set<Leftovers>();

/** Removes every container, named volume and directory a run left (by id). Safe to call twice. */
export async function removeFargateRuns(): Promise<void> {
  for (const left of [...live]) {
    await removeLeftovers(left);
    live.delete(left);
  }
}
onSuiteTeardown(removeFargateRuns);

async function removeLeftovers(left: Leftovers): Promise<void> {
  for (const watcher of left.watchers ?? []) watcher.close();
  await removeContainer(left.containerId ?? left.name);
  for (const volume of left.volumes) await removeVolume(volume);
  for (const dir of left.dirs) await rm(dir, { recursive: true, force: true });
}

/** The task's user (`uid:gid`), to own writable extra mounts. */
function userOf(plan: DockerRunPlan): [number, number] | undefined {
  const user = plan.args[plan.args.indexOf("--user") + 1];
  const m = /^(\d+)(?::(\d+))?$/.exec(user ?? "");
  return m ? [Number(m[1]), Number(m[2] ?? m[1])] : undefined;
}

/** Runs the image as Fargate would start the program's task, waits for it to exit, cleans up. */
export async function runAsFargate(options: FargateRunOptions): Promise<FargateRunResult> {
  const td = options.taskDefinition ?? (await programTaskDefinition());
  const region = readStackConfig()["aws:region"] ?? options.s3.region;
  const containerName = String((JSON.parse(td.containerDefinitions) as { name: string }[])[0]!.name);
  const name = uniqueName("cti-fargate");
  const left: Leftovers = { name, volumes: [], dirs: [] };
  live.add(left);
  const metadata = await startTaskMetadataEndpoint({
    taskDefinition: td,
    cluster: td.family,
    region,
    accountId: fakeAccountId,
    ...(options.metadataWithoutMemoryLimit ? { withoutMemoryLimit: true } : {}),
  });
  try {
    const scratchRoot = await mkdtemp(join(tmpdir(), "cti-fargate-"));
    left.dirs.push(scratchRoot);
    const inspected = await docker(["image", "inspect", "--format", "{{json .Config.Volumes}}", options.image]);
    const imageVolumes = Object.keys((JSON.parse(inspected.stdout.trim() || "null") as Record<string, unknown> | null) ?? {});
    const plan = dockerRunArgs({
      taskDefinition: td,
      image: options.image,
      imageVolumes,
      name,
      scratchRoot,
      region,
      metadataUri: metadata.uri,
      ...(options.override ? { overrides: { containerOverrides: [{ name: containerName, ...options.override }] } } : {}),
      standIns: {
        // The task role's credentials and the routes to AWS, as the local stand-ins.
        AWS_ACCESS_KEY_ID: options.s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: options.s3.secretAccessKey,
        AWS_ENDPOINT_URL_S3: options.s3.endpoint,
        ...(options.redshiftDataEndpoint ? { AWS_ENDPOINT_URL_REDSHIFT_DATA: options.redshiftDataEndpoint } : {}),
        AWS_EC2_METADATA_DISABLED: "true",
      },
    });
    left.volumes.push(...plan.namedVolumes.map((v) => v.name));
    const hostSides: { containerPath: string; hostPath: string }[] = [];
    // Created empty here so the watch starts before the container; docker still fills an empty
    // volume from the image at its first mount.
    for (const volume of plan.namedVolumes) {
      await docker(["volume", "create", "--label", `cti-etl.fargate-run=${name}`, volume.name]);
      const mountpoint = (await docker(["volume", "inspect", "--format", "{{.Mountpoint}}", volume.name])).stdout.trim();
      hostSides.push({ containerPath: volume.containerPath, hostPath: mountpoint });
    }
    // Fargate's empty bind mounts: owned by root (this process), mode 0755 whatever the umask.
    for (const dir of plan.directories) {
      await mkdir(dir.path, { recursive: true });
      await chmod(dir.path, 0o755);
      hostSides.push({ containerPath: dir.containerPath, hostPath: dir.path });
    }
    const scratchEntries: Record<string, string[]> = {};
    const watchers: FSWatcher[] = hostSides.map(({ containerPath, hostPath }) => {
      const seen = (scratchEntries[containerPath] = [] as string[]);
      return watch(hostPath, (_event, file) => {
        if (file && !seen.includes(String(file))) seen.push(String(file));
      });
    });
    left.watchers = watchers;
    const extra: string[] = [];
    const owner = userOf(plan);
    for (const mount of options.extraMounts ?? []) {
      if (!mount.readOnly && owner) await runCommand("chown", ["-R", `${owner[0]}:${owner[1]}`, mount.hostPath]);
      extra.push("--mount", `type=bind,source=${mount.hostPath},target=${mount.containerPath}${mount.readOnly ? ",readonly" : ""}`);
    }
    const started = await docker(["run", "--detach", ...extra, ...plan.args]);
    const id = started.stdout.trim();
    left.containerId = id;

    const container: RunningContainer = {
      id,
      name,
      logs: async () => {
        const r = await runCommand("docker", ["logs", id]);
        return { stdout: r.stdout, stderr: r.stderr };
      },
      stop: async () => {
        await runCommand("docker", ["stop", id]);
      },
      running: async () => (await docker(["inspect", "--format", "{{.State.Running}}", id])).stdout.trim() === "true",
    };
    const peak = watchPeakMemory(id);
    const waited = runCommand("docker", ["wait", id]);
    try {
      if (options.whileRunning) await options.whileRunning(container);
    } finally {
      await waited;
      peak.stop();
    }
    const state = JSON.parse((await docker(["inspect", "--format", "{{json .State}}", id])).stdout) as {
      ExitCode: number;
      OOMKilled: boolean;
      StartedAt: string;
      FinishedAt: string;
    };
    const { stdout, stderr } = await container.logs();
    const scratchRoots: Record<string, string> = {};
    for (const { containerPath, hostPath } of hostSides) {
      const stat = (await runCommand("stat", ["--format", "%u:%g %a", hostPath])).stdout.trim().split(" ");
      scratchRoots[containerPath] = `${stat[0]} ${stat[1]}`;
    }
    return {
      exitCode: state.ExitCode,
      oomKilled: state.OOMKilled,
      stdout,
      stderr,
      wallMs: Date.parse(state.FinishedAt) - Date.parse(state.StartedAt),
      peakMemoryBytes: peak.value(),
      peakRssBytes: peak.rss(),
      taskArn: metadata.taskArn,
      metadataRequests: metadata.taskRequests(),
      plan,
      scratchEntries,
      scratchRoots,
      summary: lastJsonLine(stdout),
    };
  } finally {
    await metadata.stop();
    await removeLeftovers(left);
    live.delete(left);
  }
}

function lastJsonLine(stdout: string): Record<string, unknown> | undefined {
  const last = stdout.trim().split("\n").at(-1);
  try {
    return last ? (JSON.parse(last) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Samples the container's cgroup high-water mark every 100 ms: cgroup v1
 * `memory.max_usage_in_bytes` (Docker's cgroupfs driver: `/sys/fs/cgroup/memory/docker/<id>`),
 * or v2 `memory.peak`. The cgroup goes when the container exits; the last sample stands.
 */
function watchPeakMemory(id: string): { stop(): void; value(): number | undefined; rss(): number | undefined } {
  const v1 = `/sys/fs/cgroup/memory/docker/${id}`;
  const v2 = `/sys/fs/cgroup/system.slice/docker-${id}.scope`;
  let peak: number | undefined;
  let rss: number | undefined;
  const sample = async () => {
    for (const file of [`${v1}/memory.max_usage_in_bytes`, `${v2}/memory.peak`]) {
      const text = await readFile(file, "utf8").catch(() => undefined);
      if (text !== undefined && /^\d+\s*$/.test(text)) peak = Math.max(peak ?? 0, Number(text));
    }
    for (const [file, key] of [[`${v1}/memory.stat`, "total_rss"], [`${v2}/memory.stat`, "anon"]] as const) {
      const text = await readFile(file, "utf8").catch(() => undefined);
      const m = text === undefined ? null : new RegExp(`^${key} (\\d+)$`, "m").exec(text);
      if (m) rss = Math.max(rss ?? 0, Number(m[1]));
    }
  };
  const timer = setInterval(() => void sample(), 100);
  void sample();
  return { stop: () => clearInterval(timer), value: () => peak, rss: () => rss };
}
