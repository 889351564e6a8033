/**
 * The plan as stored under the run's prefix: `plan.jsonl`, one shard a line (what a Step
 * Functions Distributed Map reads as its items, `ItemReader` with `InputType: JSONL`), each line
 * whole on its own: the run id, the shard's index, how many shards there are, its objects with
 * their pinned ETags. Written once; a retry that plans again must find the same plan.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
 */
import { type } from "arktype";
import { EtlError } from "../errors.ts";
import type { PlannedObject, Shard } from "./shard-plan.ts";

/** The plan's file name under `<output>/<runId>/`. */
export const PLAN_FILE = "plan.jsonl";

/** One line of the plan: one shard, as one task of the fan-out receives it. */
export interface PlanLine {
  runId: string;
  index: number;
  /** How many shards the plan has. */
  of: number;
  bytes: number;
  objects: PlannedObject[];
}

const plannedObject = type({ uri: "string > 0", bytes: "number.integer >= 0", "etag?": "string > 0" });
const planLine = type({ runId: "string > 0", index: "number.integer >= 0", of: "number.integer >= 1", bytes: "number.integer >= 0", objects: plannedObject.array() });

/** The plan's text: one JSON object a line, in shard order, ending with a line feed. Pure. */
export function planText(runId: string, shards: readonly Shard[]): string {
  return shards.map((s) => JSON.stringify({ runId, index: s.index, of: shards.length, bytes: s.bytes, objects: s.objects } satisfies PlanLine) + "\n").join("");
}

/**
 * Reads a plan's text, checking every line's fields and that the lines are shards `0 … of-1` of
 * one run, in order, whose bytes add up. Pure.
 * @throws EtlError BAD_PLAN naming the plan, the line and the field at fault.
 */
export function parsePlan(text: string, uri: string): PlanLine[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const bad = (line: number, message: string, field?: string) => new EtlError("BAD_PLAN", message, { file: uri, line, ...(field ? { field } : {}) });
  const parsed = lines.map((raw, i) => {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw bad(i + 1, `not a JSON object: ${(error as Error).message}`);
    }
    const line = planLine(value);
    if (line instanceof type.errors) throw bad(i + 1, line.summary, String(line[0]?.path[0] ?? ""));
    return line as PlanLine;
  });
  if (parsed.length === 0) throw new EtlError("BAD_PLAN", "the plan has no shard", { file: uri });
  const { runId, of } = parsed[0]!;
  for (const [i, line] of parsed.entries()) {
    if (line.runId !== runId) throw bad(i + 1, `shard of run ${line.runId} in the plan of run ${runId}`, "runId");
    if (line.of !== of || parsed.length !== of) throw bad(i + 1, `the plan has ${parsed.length} shards, this line says ${line.of}`, "of");
    if (line.index !== i) throw bad(i + 1, `shard ${line.index} where shard ${i} belongs`, "index");
    const sum = line.objects.reduce((total, o) => total + o.bytes, 0);
    if (line.bytes !== sum) throw bad(i + 1, `says ${line.bytes} bytes, its objects add up to ${sum}`, "bytes");
  }
  return parsed;
}
