import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { onSuiteTeardown } from "./global-fixtures.ts";

const live = new Set<ChildProcess>();

function killAll(): void {
  for (const child of live) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  live.clear();
}

onSuiteTeardown(async () => killAll());
process.on("exit", killAll);

/** Spawns a child the suite will kill by PID at the end, even if the test fails. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

/** Kills a tracked child by PID and waits for it to exit. */
export async function stop(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  if (child.pid !== undefined) process.kill(child.pid, signal);
  await exited;
}

/** Result of a finished command. */
export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (killed by PID if the suite ends first). */
export function runCommand(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<CommandResult> {
  return finished(spawnTracked(command, args, options));
}

/** What a started child printed and how it ended, once it has. */
export function finished(child: ChildProcess): Promise<CommandResult> {
  let stdout = "";
  let stderr = "";
  // setEncoding decodes across chunks: a character split between two reads stays whole.
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
