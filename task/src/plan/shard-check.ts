/**
 * Where a shard's output goes, and whether what a shard published is what the plan asked of it.
 * Pure.
 */
import { EtlError } from "../errors.ts";
import type { RunSummary } from "../run/summary.ts";
import { SUMMARY_FILE } from "../run/transform-and-publish.ts";
import { PLAN_FILE, type PlanLine } from "./plan-file.ts";

/** Digits of a shard's folder name: `00003`, so the shards list in order. */
const SHARD_ID_DIGITS = 5;

/** The folder name of shard `index`. */
export function shardId(index: number): string {
  return String(index).padStart(SHARD_ID_DIGITS, "0");
}

/**
 * Where the shards of the run whose plan is at `planUri` (`…/<runId>/plan.jsonl`) publish:
 * `…/<runId>/shards/`, each in `<shardId>/` below it.
 * @throws EtlError USAGE when the URI does not end with the plan's file name.
 */
export function shardsRootOf(planUri: string): string {
  if (!planUri.endsWith(`/${PLAN_FILE}`)) throw new EtlError("USAGE", `--plan must name a run's ${PLAN_FILE} (was ${JSON.stringify(planUri)})`);
  return `${planUri.slice(0, -PLAN_FILE.length)}shards/`;
}

/** The run id of the plan at `planUri`: the name of its folder (`…/<runId>/plan.jsonl`). */
export function runIdOfPlan(planUri: string): string {
  return shardsRootOf(planUri).split("/").at(-3) ?? "";
}

/** Where shard `index` of the plan at `planUri` publishes its summary. */
export function shardSummaryUri(planUri: string, index: number): string {
  return `${shardsRootOf(planUri)}${shardId(index)}/${SUMMARY_FILE}`;
}

/** The plan's line for shard `index`. @throws EtlError USAGE when the plan has no such shard. */
export function planLineAt(lines: readonly PlanLine[], index: number, planUri: string): PlanLine {
  const line = lines[index];
  if (!line) throw new EtlError("USAGE", `--index ${index}: the plan ${planUri} has ${lines.length} shard(s), 0 to ${lines.length - 1}`);
  return line;
}

/**
 * What differs between a shard's published summary and its plan line: the run, and the objects
 * read (each URI, size and pinned ETag, in order). Empty when the shard did what was planned.
 */
export function publishedShardProblems(summary: Pick<RunSummary, "runId" | "inputs">, line: PlanLine): string[] {
  const problems: string[] = [];
  if (summary.runId !== line.runId) problems.push(`it belongs to run ${summary.runId}, the plan to run ${line.runId}`);
  const read = summary.inputs.map((i) => `${i.uri} (${i.bytes} bytes${i.etag ? `, ETag ${i.etag}` : ""})`);
  const planned = line.objects.map((o) => `${o.uri} (${o.bytes} bytes${o.etag ? `, ETag ${o.etag}` : ""})`);
  if (read.join("\n") !== planned.join("\n")) problems.push(`it read ${read.join(", ") || "nothing"}; the plan says ${planned.join(", ") || "nothing"}`);
  return problems;
}
