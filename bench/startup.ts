import { spawnSync } from "node:child_process";
import { CLI } from "./build-programs.ts";
import { median } from "./results-table.ts";

/** Median wall times (ms) of Node doing nothing and of the installed command's `--version` and `--help`. */
export interface StartupFigures {
  nodeMs: number;
  versionMs: number;
  helpMs: number;
  runs: number;
}

function wallMs(argv: readonly string[]): number {
  const started = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited with ${r.status}: ${r.stderr.toString().trim()}`);
  return ms;
}

/**
 * `cti-etl --version` (and `--help`) as installed (`node bin/cti-etl.js`) against `node -e 0`,
 * taking turns `runs` times, after one warm-up of each (the files in the page cache, as on a
 * second start). The goal: `--version` within 3× of `node -e 0`.
 */
export function measureStartup(runs = 10): StartupFigures {
  const programs = { node: [process.execPath, "-e", "0"], version: [process.execPath, CLI, "--version"], help: [process.execPath, CLI, "--help"] };
  const times: Record<keyof typeof programs, number[]> = { node: [], version: [], help: [] };
  for (const argv of Object.values(programs)) wallMs(argv);
  for (let i = 0; i < runs; i++) {
    for (const [name, argv] of Object.entries(programs)) times[name as keyof typeof programs].push(wallMs(argv));
  }
  return { nodeMs: median(times.node), versionMs: median(times.version), helpMs: median(times.help), runs };
}
