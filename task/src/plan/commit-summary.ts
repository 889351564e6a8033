/**
 * The run's summary from its shards' summaries, pure: their counts added, their inputs in plan
 * order, their parts and rejected files under `shards/<id>/` of the run's folder. Checked as one
 * transform's summary is (every row accounted for), and every planned object read exactly once.
 */
import { EtlError } from "../errors.ts";
import { addCounts, checkInvariant, type RunSummary } from "../run/summary.ts";
import { emptyCounts } from "../records/record-counts.ts";

export interface PublishedShard {
  /** Its folder name under `shards/` (plan/shard-check.ts `shardId`). */
  id: string;
  summary: RunSummary;
}

/**
 * @param runFolder the run's folder URI, ending in `/` (`s3://…/<runId>/` or `file:///…/<runId>/`).
 * @throws EtlError INVARIANT_BROKEN when the counts do not add up or an object was read twice.
 */
export function mergeShardSummaries(runId: string, runFolder: string, shards: readonly PublishedShard[]): RunSummary {
  const counts = shards.reduce((sum, s) => addCounts(sum, s.summary), emptyCounts());
  const under = (id: string) => (p: RunSummary["parts"][number]) => ({ ...p, relPath: `shards/${id}/${p.relPath}` });
  const parts = shards.flatMap((s) => s.summary.parts.map(under(s.id)));
  const rejectedFiles = shards.flatMap((s) => s.summary.rejectedFiles.map(under(s.id)));
  const inputs = shards.flatMap((s) => s.summary.inputs);
  const seen = new Set<string>();
  for (const input of inputs) {
    if (seen.has(input.uri)) throw new EtlError("INVARIANT_BROKEN", `${input.uri} was read by more than one shard`);
    seen.add(input.uri);
  }
  const sum = (ps: typeof parts) => ps.reduce((n, p) => n + p.rows, 0);
  checkInvariant(counts, sum(parts), sum(rejectedFiles));
  const times = shards.map((s) => [Date.parse(s.summary.startedAt), Date.parse(s.summary.finishedAt)] as const);
  const startedAt = Math.min(...times.map(([start]) => start));
  const finishedAt = Math.max(...times.map(([, end]) => end));
  return {
    runId,
    status: "succeeded",
    ...counts,
    inputs,
    output: runFolder,
    parts,
    rejectedFiles,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    durationMs: finishedAt - startedAt,
  };
}
