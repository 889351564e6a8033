import { spawn } from "node:child_process";
import type { ExpectedCounts } from "../task/src/sample/sample-generator.ts";
import type { ProgramReport } from "./peers/transform-spec.ts";

/** One run of one program. */
export interface Measurement {
  wallMs: number;
  peakRssBytes: number;
  report: ProgramReport;
}

/**
 * Runs `node <script> <args>` as a child process of its own and measures its wall time
 * (spawn to exit, so start-up counts) and peak RSS (the child's own `maxRSS`, threads and
 * native engines included).
 * @throws when the program fails or prints no report.
 */
export async function measure(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Measurement> {
  const started = performance.now();
  const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`${script} exited with ${code}: ${stderr.trim().split("\n").slice(-5).join("\n")}`);
  const last = stdout.trim().split("\n").pop() ?? "";
  const report = JSON.parse(last) as ProgramReport;
  return { wallMs, peakRssBytes: report.maxRssKiB * 1024, report };
}

/** The differences between what a program counted and what the generator expects ("" when none). */
export function countMismatch(report: ProgramReport, expected: ExpectedCounts): string {
  const problems: string[] = [];
  for (const k of ["rowsRead", "clean", "duplicates", "rejected"] as const) {
    if (report[k] !== expected[k]) problems.push(`${k} ${report[k]} (expected ${expected[k]})`);
  }
  const reasons = new Set([...Object.keys(report.rejectedByReason), ...Object.keys(expected.rejectedByReason)]);
  for (const r of reasons) {
    if ((report.rejectedByReason[r] ?? 0) !== (expected.rejectedByReason[r] ?? 0)) {
      problems.push(`"${r}" ${report.rejectedByReason[r] ?? 0} (expected ${expected.rejectedByReason[r] ?? 0})`);
    }
  }
  return problems.join("; ");
}
