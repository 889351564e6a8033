/**
 * `cti-etl commit`: the end of a fanned-out run. Checks that every shard of the plan published
 * what its plan line asked for, writes the run's COPY manifest (every shard's clean parts) and
 * summary once, then runs the ledger-guarded load in one transaction over all the parts; rows
 * repeated across shards are inserted once and counted as duplicates in the ledger, as one task
 * would have counted them. The input fingerprint is the one a single task over the same objects
 * gets, so a rerun by either path loads nothing. Safe to run again: written files are reused, and
 * the ledger makes a second load a no-op.
 */
import { EtlError } from "../errors.ts";
import { LOAD_FILE, loadRequestFor } from "../load/load-run.ts";
import type { LoadResult, Warehouse } from "../load/warehouse.ts";
import { MANIFEST_FILE, SUMMARY_FILE } from "../run/transform-and-publish.ts";
import type { RunSummary } from "../run/summary.ts";
import { buildCopyManifest } from "../sinks/copy-manifest.ts";
import { mergeShardSummaries, type PublishedShard } from "./commit-summary.ts";
import { PLAN_FILE } from "./plan-file.ts";
import { readPlan } from "./plan-run.ts";
import type { StoredFile } from "./stored-file.ts";
import { publishedShardProblems, shardId, shardSummaryUri } from "./shard-check.ts";

export interface CommitRunDeps {
  /** The run's plan.jsonl, as a URL (`s3://…` or `file://…`). */
  planUri: string;
  file(uri: string): Promise<StoredFile>;
  /** Opens the warehouse (an embedded one's lock taken). */
  openWarehouse(): Promise<Warehouse>;
  table: string;
  /** Recorded in the ledger. Default `local`. */
  taskArn?: string;
  /** Called with the run's summary and the open warehouse before the load (the check against the run's history); throwing stops the load. */
  beforeLoad?: (summary: RunSummary, warehouse: Warehouse) => Promise<unknown>;
}

export interface CommitRunResult {
  summary: RunSummary;
  load: LoadResult;
  /** Rows more than one shard kept: counted by the load (`loaded` + `alreadyPresent` are the distinct rows); absent when already loaded. */
  crossShardDuplicates?: number;
}

export async function commitRun(deps: CommitRunDeps): Promise<CommitRunResult> {
  const { planUri } = deps;
  const lines = await readPlan(deps.file, planUri);
  const runFolder = planUri.slice(0, -PLAN_FILE.length);
  const shards: PublishedShard[] = [];
  const missing: number[] = [];
  for (const line of lines) {
    const text = await (await deps.file(shardSummaryUri(planUri, line.index))).readIfPresent();
    if (text === undefined) {
      missing.push(line.index);
      continue;
    }
    const summary = JSON.parse(text) as RunSummary;
    const problems = publishedShardProblems(summary, line);
    if (problems.length > 0) throw new EtlError("INVARIANT_BROKEN", `shard ${line.index} did not publish what its plan line asks: ${problems.join("; ")}; nothing was loaded`, { file: planUri, line: line.index + 1 });
    shards.push({ id: shardId(line.index), summary });
  }
  if (missing.length > 0) {
    throw new EtlError("SHARDS_INCOMPLETE", `${missing.length} of ${lines.length} shard(s) have not published (${missing.slice(0, 20).join(", ")}${missing.length > 20 ? ", …" : ""}): run or redrive them, then commit; nothing was loaded`, { file: planUri });
  }
  const runId = lines[0]!.runId;
  const summary = mergeShardSummaries(runId, runFolder, shards);
  const urlOf = (relPath: string) => `${runFolder}${relPath}`;
  const manifest = buildCopyManifest(summary.parts.map((p) => ({ url: urlOf(p.relPath), bytes: p.bytes })));
  // Written once: a commit run again finds them (the same parts, from the same published shards).
  await (await deps.file(urlOf(MANIFEST_FILE))).createOrRead(JSON.stringify(manifest, null, 2) + "\n");
  const published = await (await deps.file(urlOf(SUMMARY_FILE))).createOrRead(JSON.stringify(summary, null, 2) + "\n");
  const runSummary = published === undefined ? summary : (JSON.parse(published) as RunSummary);
  const warehouse = await deps.openWarehouse();
  try {
    await deps.beforeLoad?.(runSummary, warehouse);
    const load = await warehouse.load({ ...loadRequestFor(runSummary, { urlOf }, deps.table), rowsMayRepeat: true, taskArn: deps.taskArn ?? "local" });
    const crossShardDuplicates = load.outcome === "loaded" ? runSummary.clean - load.loaded - load.alreadyPresent : undefined;
    const result: CommitRunResult = { summary: runSummary, load, ...(crossShardDuplicates === undefined ? {} : { crossShardDuplicates }) };
    // JSON leaves out an undefined crossShardDuplicates (already loaded), as the result does.
    await (await deps.file(urlOf(LOAD_FILE))).createOrRead(JSON.stringify({ runId, ...load, crossShardDuplicates, table: deps.table }, null, 2) + "\n");
    return result;
  } finally {
    await warehouse.close();
  }
}
