/**
 * `cti-etl shard`: one shard of a planned run. Transforms exactly the objects of its plan line
 * (read as planned) into `…/<runId>/shards/<shardId>/` and publishes its summary there, once:
 * - a shard already published is checked against the plan and not run again (a retried or
 *   redriven child whose first attempt finished);
 * - an attempt that loses a race to publish (two attempts of one shard at once) discards its
 *   output and reports the winner's, once checked (the parts of both are the same bytes: the
 *   transform is deterministic);
 * - a published shard that does not match the plan stops with OUTPUT_REJECTED.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { EtlError, errorCode } from "../errors.ts";
import type { RunSummary } from "../run/summary.ts";
import type { RunOutput } from "../sinks/run-output.ts";
import type { InputSource } from "../source/input-source.ts";
import type { PlanLine } from "./plan-file.ts";
import { readPlan } from "./plan-run.ts";
import type { StoredFile } from "./stored-file.ts";
import { planLineAt, publishedShardProblems, runIdOfPlan, shardId, shardsRootOf, shardSummaryUri } from "./shard-check.ts";

/** How long an attempt that lost the race to publish waits for the winner's summary: 40 × 250 ms. */
const RACE_WAIT_POLLS = 40;
const RACE_POLL_MS = 250;

export interface ShardRunDeps {
  planUri: string;
  index: number;
  /** A small stored file at a URI (the plan, a shard's summary). */
  file(uri: string): Promise<StoredFile>;
  /** The shard's input, from its plan line. */
  input(line: PlanLine): InputSource;
  /** The shard's output: `<root><id>/`, failing with OUTPUT_REJECTED when already published. */
  openOutput(root: string, id: string): Promise<RunOutput>;
  /** The transform, publishing to `output` (run/transform-and-publish.ts). */
  transform(runId: string, input: InputSource, output: RunOutput): Promise<RunSummary>;
}

export interface ShardRunResult {
  outcome: "published" | "already-published";
  runId: string;
  shard: number;
  of: number;
  summary: RunSummary;
}

export async function shardRun(deps: ShardRunDeps): Promise<ShardRunResult> {
  const { planUri, index } = deps;
  const line = planLineAt(await readPlan(deps.file, planUri), index, planUri);
  if (line.runId !== runIdOfPlan(planUri)) throw new EtlError("BAD_PLAN", `the plan of run ${line.runId} is stored in the folder of run ${runIdOfPlan(planUri)}`, { file: planUri, line: index + 1, field: "runId" });
  const root = shardsRootOf(planUri);
  const id = shardId(index);
  const summaryFile = await deps.file(shardSummaryUri(planUri, index));
  const result = (outcome: ShardRunResult["outcome"], summary: RunSummary): ShardRunResult => ({ outcome, runId: line.runId, shard: index, of: line.of, summary });

  const published = async (): Promise<RunSummary | undefined> => {
    const text = await summaryFile.readIfPresent();
    if (text === undefined) return undefined;
    const summary = JSON.parse(text) as RunSummary;
    const problems = publishedShardProblems(summary, line);
    if (problems.length > 0) throw new EtlError("OUTPUT_REJECTED", `shard ${index} was published, but not as planned: ${problems.join("; ")}`, { file: summaryFile.uri });
    return summary;
  };
  const before = await published();
  if (before) return result("already-published", before);
  try {
    const output = await deps.openOutput(root, id);
    return result("published", await deps.transform(line.runId, deps.input(line), output));
  } catch (error) {
    // Lost a race to publish: the other attempt's summary, if it is the plan's, stands. The
    // winner writes its manifest, then its summary: a loser refused the manifest waits for it.
    if (errorCode(error) === "OUTPUT_REJECTED") {
      for (let attempt = 0; attempt < RACE_WAIT_POLLS; attempt++) {
        const winner = await published();
        if (winner) return result("already-published", winner);
        await sleep(RACE_POLL_MS);
      }
    }
    throw error;
  }
}
