import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { LockHolder } from "../../../../task/src/load/warehouse-lock-decision.ts";
import { spawnTracked } from "../../../support/processes.ts";

const HOLDER_SCRIPT = join(process.cwd(), "test", "task", "load", "support", "hold-warehouse-lock.ts");

/**
 * Starts hold-warehouse-lock.ts on `dataDir` and resolves once it holds the lock, with its
 * holder record. The suite kills it by PID if the test does not.
 */
export async function startLockHolder(dataDir: string, runId: string, timing?: { staleMs: number; updateMs: number }): Promise<{ child: ChildProcess; holder: LockHolder }> {
  const args = [HOLDER_SCRIPT, dataDir, runId, ...(timing ? [String(timing.staleMs), String(timing.updateMs)] : [])];
  const child = spawnTracked(process.execPath, ["--import", "tsx", ...args]);
  let stdout = "";
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const holder = await new Promise<LockHolder>((resolve, reject) => {
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (stdout.includes("\n")) resolve(JSON.parse(stdout.split("\n")[0]!) as LockHolder);
    });
    child.once("exit", (code) => reject(new Error(`lock holder exited ${code} before holding the lock: ${stderr}`)));
  });
  return { child, holder };
}
