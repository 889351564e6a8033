import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeSample } from "../../task/scripts/generate-sample.ts";
import { GENERATOR_VERSION, type ExpectedCounts } from "../../task/src/sample/sample-generator.ts";

/** Cache for generated data: outside git (see .gitignore), reused across runs. */
export const DATA_CACHE = join(process.cwd(), ".cache", "data");

/**
 * A generated sample file of `rows` rows, made on first use and cached, with the counts the
 * generator says the job must find.
 */
export async function cachedSample(rows: number, opts: { seed?: number; gzip?: boolean; crlf?: boolean } = {}): Promise<{ path: string; expected: ExpectedCounts }> {
  const name = `sample-v${GENERATOR_VERSION}-${rows}-s${opts.seed ?? 42}${opts.crlf ? "-crlf" : ""}.csv${opts.gzip ? ".gz" : ""}`;
  const path = join(DATA_CACHE, name);
  if (!existsSync(path) || !existsSync(`${path}.expected.json`)) await writeSample(path, rows, opts);
  const expected = JSON.parse(await readFile(`${path}.expected.json`, "utf8")) as ExpectedCounts;
  return { path, expected };
}
