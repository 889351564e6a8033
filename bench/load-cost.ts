import { existsSync } from "node:fs";
import { cp, mkdir, readFile, rename, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { benchInput } from "./bench-data.ts";
import { CLI, MAX_RSS_PROBE } from "./build-programs.ts";
import { countMismatch, measure } from "./measure.ts";
import { medianPaired } from "./results-table.ts";

const CACHE = fileURLToPath(new URL("../.cache/bench/", import.meta.url));

/** Wall times (ms, one a round) of the three runs of the same new rows. */
export interface LoadCostFigures {
  rows: number;
  historyRows: number;
  /** `--warehouse none`: the transform alone. */
  transformOnlyMs: number[];
  /** The default run (transform, then the embedded PGlite load) into an empty warehouse (its folder made before). */
  emptyMs: number[];
  /** The same into a folder that does not exist yet: creating the database (PGlite's initdb) included. */
  newFolderMs: number[];
  /** The same into a warehouse already holding `historyRows` rows' clean rows. */
  historyMs: number[];
  /** Rows loaded into the empty and into the holding warehouse (the last round's). */
  loadedEmpty: number;
  loadedHistory: number;
}

/** What the load section reports, each compared round by round ({@link medianPaired}): a slow minute moves both runs of a round. */
export interface LoadCostRatios {
  /** The default run over the transform-only run: into an empty warehouse, one holding history, a new folder. */
  empty: number;
  history: number;
  newFolder: number;
  /** The load's time (ms): the default run less the transform-only run of the same round. */
  emptyLoadMs: number;
  historyLoadMs: number;
  /** The load's time into the warehouse holding history over its time into the empty one. */
  historyOverEmptyLoad: number;
}

/** The ratios and load times of {@link LoadCostFigures}. Pure. */
export function loadCostRatios(figures: LoadCostFigures): LoadCostRatios {
  const t = figures.transformOnlyMs;
  const overTransform = (runs: number[]) => medianPaired(runs, t, (run, transform) => run / transform);
  const loadTimes = (runs: number[]) => runs.map((run, i) => run - t[i]!);
  return {
    empty: overTransform(figures.emptyMs),
    history: overTransform(figures.historyMs),
    newFolder: overTransform(figures.newFolderMs),
    emptyLoadMs: medianPaired(figures.emptyMs, t, (run, transform) => run - transform),
    historyLoadMs: medianPaired(figures.historyMs, t, (run, transform) => run - transform),
    historyOverEmptyLoad: medianPaired(loadTimes(figures.historyMs), loadTimes(figures.emptyMs), (h, e) => h / e),
  };
}

/** `cti-etl run` as installed, with the default codec; `warehouse` a PGlite folder or `none`. */
function runArgs(input: string, outDir: string, warehouse: string): string[] {
  return [process.execPath, "--import", MAX_RSS_PROBE, CLI, "run", "--input", input, "--output", outDir, "--warehouse", warehouse, "--no-progress"];
}

/** The start of the fingerprint of the sources the command was built from (task/scripts/ensure-build.mjs). */
async function buildStamp(): Promise<string> {
  return (await readFile(fileURLToPath(new URL("../dist/task.stamp", import.meta.url)), "utf8")).trim().slice(0, 12);
}

/**
 * A PGlite warehouse holding the clean rows of `rows` generated rows (seed 42), loaded once by the
 * command and cached by the fingerprint of the sources that built it (dist/task.stamp), so a change
 * of the table's layout makes a new one rather than timing a migration.
 */
async function historyWarehouse(rows: number, log: (line: string) => void): Promise<string> {
  const dir = `${CACHE}warehouse-${rows}-${await buildStamp()}`;
  if (existsSync(dir)) return dir;
  const input = await benchInput(rows, log);
  log(`loading ${rows.toLocaleString("en")} rows into ${dir} (cached for later runs)…`);
  const partial = `${dir}.partial`;
  const out = `${CACHE}out/history`;
  await rm(partial, { recursive: true, force: true });
  const m = await measure(runArgs(input.path, out, partial), process.env);
  await rm(out, { recursive: true, force: true });
  log(`history loaded in ${(m.wallMs / 1000).toFixed(1)} s`);
  await rename(partial, dir);
  return dir;
}

/** An empty warehouse folder: made by `cti-etl sql` (which creates the database), cached like the history. */
async function emptyWarehouse(): Promise<string> {
  const dir = `${CACHE}warehouse-empty-${await buildStamp()}`;
  if (existsSync(dir)) return dir;
  const partial = `${dir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await measure([process.execPath, CLI, "sql", "--warehouse", partial, "--json", "SELECT 1 AS rowsRead"], process.env);
  await rename(partial, dir);
  return dir;
}

/**
 * The cost of the embedded load: `rows` new rows (seed 7) transformed only, then by the default run
 * into an empty warehouse, into one holding `historyRows` rows and into a new folder (the database
 * created by the run), taking turns for `rounds` rounds.
 * Goals: default ≤ 2× transform-only, both ways; load time (default − transform-only) within 30%
 * between the empty and the holding warehouse.
 */
export async function measureLoadCost(opts: { rows: number; historyRows: number; rounds: number; log: (line: string) => void }): Promise<LoadCostFigures> {
  const { rows, historyRows, rounds, log } = opts;
  const input = await benchInput(rows, log, 7);
  const history = await historyWarehouse(historyRows, log);
  const empty = await emptyWarehouse();
  const figures: LoadCostFigures = { rows, historyRows, transformOnlyMs: [], emptyMs: [], newFolderMs: [], historyMs: [], loadedEmpty: 0, loadedHistory: 0 };
  const kinds = ["transformOnly", "empty", "history", "newFolder"] as const;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[(i + round) % kinds.length]!;
      const work = `${CACHE}out/load-${kind}`;
      await rm(work, { recursive: true, force: true });
      await mkdir(work, { recursive: true });
      const warehouse = kind === "transformOnly" ? "none" : `${work}/warehouse`;
      if (kind === "history" || kind === "empty") await cp(kind === "history" ? history : empty, warehouse, { recursive: true });
      try {
        const m = await measure(runArgs(input.path, `${work}/out`, warehouse), process.env);
        const mismatch = countMismatch(m.report, input.expected);
        if (mismatch) throw new Error(`the job miscounted (${kind}): ${mismatch}`);
        const loaded = (m.report as unknown as { loaded?: number }).loaded ?? NaN;
        if ((kind === "empty" || kind === "newFolder") && loaded !== input.expected.clean) throw new Error(`loaded ${loaded} rows into an empty warehouse, expected ${input.expected.clean}`);
        figures[`${kind}Ms`].push(m.wallMs);
        if (kind === "empty") figures.loadedEmpty = loaded;
        if (kind === "history") figures.loadedHistory = loaded;
        log(`load cost round ${round + 1}/${rounds} ${kind}: ${(m.wallMs / 1000).toFixed(2)} s${kind === "transformOnly" ? "" : `, ${loaded} rows loaded`}`);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    }
  }
  return figures;
}
