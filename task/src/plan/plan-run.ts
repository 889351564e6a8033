/**
 * `cti-etl plan`: the run's shard plan, made once. A plan already stored for this run id is
 * the run's input contract and is reused as it is (a retried or redriven Plan step), whatever
 * the prefix holds now; otherwise the input is listed, ordered by key, pinned to its ETags, cut
 * into shards and stored, and a racing attempt's plan wins if it was stored first.
 */
import { resolve } from "node:path";
import { EtlError } from "../errors.ts";
import { isS3Uri } from "../s3/s3-uri.ts";
import type { InputSource } from "../source/input-source.ts";
import { PLAN_FILE, parsePlan, planText, type PlanLine } from "./plan-file.ts";
import type { StoredFile } from "./stored-file.ts";
import { inKeyOrder, planShards } from "./shard-plan.ts";

/** The most shards a plan may have: shard folders are numbered with 5 digits (plan/shard-check.ts). */
export const MAX_SHARDS = 100_000;

export interface PlanRunDeps {
  runId: string;
  input: () => Promise<InputSource>;
  store: StoredFile;
  shardBytes: number;
}

export interface PlanRunResult {
  runId: string;
  /** `planned` now, or `already-planned` by an earlier attempt (reused as it is). */
  outcome: "planned" | "already-planned";
  plan: string;
  shards: number;
  objects: number;
  bytes: number;
}

/** Where the plan of run `runId` under `output` (a folder or `s3://…/` prefix) is stored. Pure. */
export function planUri(output: string, runId: string): string {
  return `${output.endsWith("/") ? output : `${output}/`}${runId}/${PLAN_FILE}`;
}

/**
 * The plan stored at `planUri`, read and checked (plan-file.ts `parsePlan`).
 * @throws EtlError INPUT_NOT_FOUND when there is none; BAD_PLAN when it is damaged.
 */
export async function readPlan(file: (uri: string) => Promise<StoredFile>, planUri: string): Promise<PlanLine[]> {
  const text = await (await file(planUri)).readIfPresent();
  if (text === undefined) throw new EtlError("INPUT_NOT_FOUND", "no plan here: run cti-etl plan first", { file: planUri });
  return parsePlan(text, planUri);
}

export async function planRun(deps: PlanRunDeps): Promise<PlanRunResult> {
  const { runId, store } = deps;
  const found = await store.readIfPresent();
  if (found !== undefined) return result(runId, "already-planned", store.uri, ofRun(parsePlan(found, store.uri), runId, store.uri));
  const listed = await (await deps.input()).list();
  // A local file by its absolute path: a shard may run from another folder.
  const objects = inKeyOrder(listed.map((o) => ({ uri: isS3Uri(o.uri) ? o.uri : resolve(o.uri), bytes: o.size, ...(o.etag ? { etag: o.etag } : {}) })));
  const shards = planShards(objects, deps.shardBytes);
  if (shards.length > MAX_SHARDS) throw new EtlError("USAGE", `${shards.length} shards of about ${deps.shardBytes} bytes: at most ${MAX_SHARDS}; raise --shard-bytes`);
  const text = planText(runId, shards);
  const raced = await store.createOrRead(text);
  const stored = raced ?? text;
  return result(runId, raced === undefined ? "planned" : "already-planned", store.uri, ofRun(parsePlan(stored, store.uri), runId, store.uri));
}

/** The plan's lines, once checked to be this run's. */
function ofRun(lines: PlanLine[], runId: string, uri: string): PlanLine[] {
  if (lines[0]!.runId !== runId) throw new EtlError("BAD_PLAN", `the plan stored for run ${runId} is the plan of run ${lines[0]!.runId}`, { file: uri, line: 1, field: "runId" });
  return lines;
}

function result(runId: string, outcome: PlanRunResult["outcome"], plan: string, lines: PlanLine[]): PlanRunResult {
  return {
    runId,
    outcome,
    plan,
    shards: lines.length,
    objects: lines.reduce((n, l) => n + l.objects.length, 0),
    bytes: lines.reduce((n, l) => n + l.bytes, 0),
  };
}
