import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseInfraConfig } from "../infra/config.ts";
import { docker, removeContainer, requireDockerEngine, uniqueName } from "../test/support/docker/engine.ts";
import { taskImage } from "../test/support/docker/task-image.ts";
import type { BenchInput } from "./bench-data.ts";
import { jobCommand } from "./build-programs.ts";
import { countMismatch } from "./measure.ts";
import type { ProgramReport } from "./peers/transform-spec.ts";

const CACHE = fileURLToPath(new URL("../.cache/bench/", import.meta.url));

/** The task definition's default limits (infra/config.ts: taskCpu units, taskMemory MiB). */
export function defaultTaskLimits(): { cpus: number; memoryMiB: number } {
  const parsed = parseInfraConfig({ "aws:region": "us-east-1" });
  if (!parsed.ok) throw new Error(`infra defaults: ${parsed.problems.join("; ")}`);
  return { cpus: parsed.config.taskCpu / 1024, memoryMiB: parsed.config.taskMemory };
}

/** The parts' codec of a run of the image: `--compression gzip`, the image's default, or `--compression none`. */
export type ImageCodec = "gzip" | "default" | "none";

/** One run of the image. */
export interface ContainerRun {
  rows: number;
  /** The parts' codec: `gzip` (as the peers write), the image's `default` (zstd under Node 24) or `none`. */
  codec: ImageCodec;
  cpus: number;
  memoryMiB: number;
  wallMs: number;
  /** The node process's peak RSS, worker threads included (its own `maxRSS`, printed at exit). */
  peakRssBytes: number;
  /** The container's cgroup peak (memory.peak, or memory.max_usage_in_bytes on cgroup v1): page cache included. */
  cgroupPeakBytes: number | undefined;
}

/** Where the engine keeps a container's memory accounting, cgroup v2 or v1, systemd or cgroupfs driver. */
function cgroupPeakFiles(id: string): string[] {
  return [
    `/sys/fs/cgroup/system.slice/docker-${id}.scope/memory.peak`,
    `/sys/fs/cgroup/docker/${id}/memory.peak`,
    `/sys/fs/cgroup/memory/docker/${id}/memory.max_usage_in_bytes`,
    `/sys/fs/cgroup/memory/system.slice/docker-${id}.scope/memory.max_usage_in_bytes`,
  ];
}

/**
 * The image as the task runs it, under limits: `docker run --network none --cpus --memory` (no
 * swap beyond the limit, as on Fargate), the input folder mounted read-only, the output a mounted
 * host folder (a tmpfs would count the parts against the memory limit). The same job as on the
 * host: `run --warehouse none`, gzip parts unless `codec` says otherwise. Peak memory two ways: the process's own, printed at
 * exit through `node --import` (the distroless image has no shell or `time`), and the cgroup's,
 * read while it runs. The container is removed by id, also on failure.
 */
export async function runImage(input: BenchInput, limits: { cpus: number; memoryMiB: number }, codec: ImageCodec, log: (line: string) => void): Promise<ContainerRun> {
  await requireDockerEngine();
  const image = await taskImage();
  const out = `${CACHE}out/container`;
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await chmod(out, 0o777); // the image runs as 65532
  const probe = "data:text/javascript,process.on('exit',()=>process.stderr.write('cti-bench-maxrss-kib '+process.resourceUsage().maxRSS+'\\n'))";
  const name = uniqueName("cti-etl-bench");
  const started = performance.now();
  const { stdout: created } = await docker([
    "run", "--detach", "--name", name, "--network", "none",
    "--cpus", String(limits.cpus), "--memory", `${limits.memoryMiB}m`, "--memory-swap", `${limits.memoryMiB}m`,
    "--volume", `${dirname(input.path)}:/in:ro`, "--volume", `${out}:/out`,
    "--entrypoint", "/nodejs/bin/node", image, "--import", probe, "/app/main.mjs",
    ...jobCommand(`/in/${basename(input.path)}`, "/out", "gzip", codec === "gzip"),
    ...(codec === "none" ? ["--compression", "none"] : []),
  ]);
  const id = created.trim();
  let cgroupPeakBytes: number | undefined;
  const files = cgroupPeakFiles(id);
  const poll = setInterval(() => {
    for (const f of files) {
      if (!existsSync(f)) continue;
      readFile(f, "utf8").then((t) => (cgroupPeakBytes = Math.max(cgroupPeakBytes ?? 0, Number(t.trim()))), () => {});
    }
  }, 100);
  try {
    const { stdout: status } = await docker(["wait", id]);
    const wallMs = performance.now() - started;
    clearInterval(poll);
    const logs = await docker(["logs", id]);
    const exitCode = Number(status.trim());
    if (exitCode !== 0) {
      const oom = (await docker(["inspect", "--format", "{{.State.OOMKilled}}", id])).stdout.trim();
      throw new Error(`the image exited ${exitCode}${oom === "true" ? " (OOM-killed)" : ""}: ${logs.stderr.trim().split("\n").slice(-5).join("\n")}`);
    }
    const report = JSON.parse(logs.stdout.trim().split("\n").pop()!) as ProgramReport;
    const mismatch = countMismatch(report, input.expected);
    if (mismatch) throw new Error(`the image miscounted: ${mismatch}`);
    const rss = /^cti-bench-maxrss-kib (\d+)$/m.exec(logs.stderr);
    const run = { rows: input.rows, codec, ...limits, wallMs, peakRssBytes: rss ? Number(rss[1]) * 1024 : NaN, cgroupPeakBytes };
    log(`image ${input.rows.toLocaleString("en")} rows, ${codec} codec, ${limits.cpus} CPU, ${limits.memoryMiB} MiB: ${(wallMs / 1000).toFixed(2)} s, peak RSS ${Math.round(run.peakRssBytes / 2 ** 20)} MiB, cgroup peak ${cgroupPeakBytes === undefined ? "n/a" : `${Math.round(cgroupPeakBytes / 2 ** 20)} MiB`}`);
    return run;
  } finally {
    clearInterval(poll);
    await removeContainer(id);
    await rm(out, { recursive: true, force: true });
  }
}
