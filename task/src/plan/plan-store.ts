/**
 * Where a run's plan is stored, beside the run's other files: `<output>/<runId>/plan.jsonl`.
 * Written once and never replaced (a local file created exclusively, an S3 object put with
 * `If-None-Match: *`); a second write finds the first and reads it back, so a retried Plan step
 * reuses the plan it made rather than listing a prefix that may have changed since.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { EtlError } from "../errors.ts";
import { PLAN_FILE } from "./plan-file.ts";

export interface PlanStore {
  /** The plan's URI: `s3://…/<runId>/plan.jsonl`, or a `file://` URL. */
  readonly uri: string;
  /** Stores `text` unless a plan is there already: resolves to that plan's text, else undefined. */
  createOrRead(text: string): Promise<string | undefined>;
  /** The stored plan's text, or undefined when there is none. */
  readIfPresent(): Promise<string | undefined>;
}

/** A plan under a local output folder: `<root>/<runId>/plan.jsonl`. */
export function localPlanStore(root: string, runId: string): PlanStore {
  const path = join(resolve(root), runId, PLAN_FILE);
  const uri = pathToFileURL(path).href;
  const readIfPresent = () =>
    readFile(path, "utf8").catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new EtlError("INPUT_UNREADABLE", `cannot read the plan: ${(error as Error).message}`, { file: uri }, { cause: error });
    });
  return {
    uri,
    readIfPresent,
    async createOrRead(text) {
      try {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, text, { flag: "wx" });
        return undefined;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") return readIfPresent();
        throw new EtlError("OUTPUT_REJECTED", `cannot write the plan: ${(error as Error).message}`, { file: uri }, { cause: error });
      }
    },
  };
}
