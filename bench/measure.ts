import { spawn } from "node:child_process";
import type { ExpectedCounts } from "../task/src/sample/sample-generator.ts";
import type { ProgramReport } from "./peers/transform-spec.ts";

/** One run of one program. */
export interface Measurement {
  wallMs: number;
  peakRssBytes: number;
  /** The program's counts: the last line of its stdout (the job's summary, a peer's report). */
  report: ProgramReport;
  stderr: string;
}

/**
 * Runs `argv` (`argv[0]` the executable) as a child process of its own and measures its wall time
 * (spawn to exit, so start-up counts) and peak RSS: the program's own `maxRssKiB` when it reports
 * one (the peers), else the line the `--import` probe prints (build-programs.ts MAX_RSS_PROBE).
 * @throws when the program fails or prints no report.
 */
export async function measure(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<Measurement> {
  const started = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], env });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`${argv.join(" ")} exited with ${code}: ${stderr.trim().split("\n").slice(-5).join("\n")}`);
  const last = stdout.trim().split("\n").pop() ?? "";
  const report = JSON.parse(last) as ProgramReport;
  const probed = /^cti-bench-maxrss-kib (\d+)$/m.exec(stderr);
  const maxRssKiB = report.maxRssKiB ?? (probed ? Number(probed[1]) : NaN);
  return { wallMs, peakRssBytes: maxRssKiB * 1024, report, stderr };
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
