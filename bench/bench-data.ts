import { existsSync } from "node:fs";
import { mkdir, readFile, rename, stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { writeSample } from "../task/scripts/generate-sample.ts";
import type { ExpectedCounts } from "../task/src/sample/sample-generator.ts";

/** Where generated inputs are cached (git-ignored). */
export const DATA_DIR = fileURLToPath(new URL("../.cache/bench/data/", import.meta.url));

/** A generated input and the counts the generator says the transform must find. */
export interface BenchInput {
  rows: number;
  path: string;
  bytes: number;
  expected: ExpectedCounts;
}

/**
 * The deterministic input of `rows` rows (`seed`, default 42), generated on first use and cached.
 * Written under a temporary name and renamed, so an interrupted run leaves no half file.
 */
export async function benchInput(rows: number, log: (line: string) => void = () => {}, seed = 42): Promise<BenchInput> {
  await mkdir(DATA_DIR, { recursive: true });
  const path = `${DATA_DIR}rows-${rows}${seed === 42 ? "" : `-s${seed}`}.csv`;
  if (!existsSync(path) || !existsSync(`${path}.expected.json`)) {
    log(`generating ${rows.toLocaleString("en")} rows into ${path} (cached for later runs)…`);
    const partial = `${path}.partial`;
    await writeSample(partial, rows, { seed });
    await rename(`${partial}.expected.json`, `${path}.expected.json`);
    await rename(partial, path);
  }
  const expected = JSON.parse(await readFile(`${path}.expected.json`, "utf8")) as ExpectedCounts;
  return { rows, path, bytes: (await stat(path)).size, expected };
}
