/**
 * The Docker engine the container tests use: a `docker` client call that fails with the
 * engine's own message, and a check that an engine answers. Start one with
 * `scripts/docker/engine.sh` (as root; `.ci/run` does it). Containers use `--network host` or
 * `--network none` only: the engine runs without a default bridge (`dockerd --bridge=none`).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";

/** Options of {@link docker}. */
export interface DockerOptions {
  /** Environment of the client (default: this process's), e.g. `DOCKER_BUILDKIT: "0"`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Working directory of the client (default: this process's); the build context is relative to it. */
  readonly cwd?: string;
  /** Text written to the client's standard input (e.g. `docker import -`). */
  readonly input?: string;
  /** Kills the client after this many milliseconds (default: none). */
  readonly timeoutMs?: number;
}

/** What a `docker` call printed. */
export interface DockerOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** Error of a failed `docker` call: its exit code and what it printed. */
export class DockerCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | string | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`docker ${args.join(" ").slice(0, 300)} failed (exit ${exitCode}): ${stderr.trim() || stdout.trim()}`);
    this.name = "DockerCommandError";
  }
}

/**
 * Runs the `docker` client to completion. Resolves with its output when it exits 0; rejects
 * with a {@link DockerCommandError} holding the exit code and stderr otherwise.
 */
export function docker(args: readonly string[], opts: DockerOptions = {}): Promise<DockerOutput> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "docker",
      args,
      { env: opts.env ?? process.env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 0, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException & { code?: number | string }).code ?? null;
          reject(new DockerCommandError(args, code, stdout, stderr));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/**
 * Resolves when a Docker engine answers; otherwise throws with how to start one. Never a reason
 * to skip: on these machines the container tests always run.
 */
export async function requireDockerEngine(): Promise<void> {
  try {
    await docker(["info", "--format", "{{.ServerVersion}}"], { timeoutMs: 30_000 });
  } catch (error) {
    const why = error instanceof DockerCommandError ? error.stderr.trim() || error.message : String(error);
    throw new Error(
      `No Docker engine answers (${why}). Start one as root with scripts/docker/engine.sh ` +
        "(installs Debian's docker.io when missing and runs `dockerd --bridge=none --iptables=false`).",
    );
  }
}

/** A container or volume name no other test or run uses: `<prefix>-<time>-<random>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
}

/** Removes a container by id or name (stopping it first), and its anonymous volumes; no error if it is gone. */
export async function removeContainer(id: string): Promise<void> {
  await docker(["rm", "--force", "--volumes", id]).catch((error: unknown) => {
    if (!(error instanceof DockerCommandError && /No such container/i.test(error.stderr))) throw error;
  });
}

/** Removes a named volume; no error if it is gone. */
export async function removeVolume(name: string): Promise<void> {
  await docker(["volume", "rm", "--force", name]);
}
