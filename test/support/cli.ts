/**
 * The installed command as tests run it: `node bin/cti-etl.js …`, which runs the built bundle
 * (the mocha global setup builds it when the sources changed), under this Node or another.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { runCommand, type CommandResult } from "./processes.ts";

/** bin/cti-etl.js, the `cti-etl` of package.json's `bin`. */
export const CLI = join(fileURLToPath(new URL("../../", import.meta.url)), "bin", "cti-etl.js");

/** Runs `cti-etl <args>` with `node` (default: the Node running the tests) and `env` (default: this process's). */
export function runCli(args: readonly string[], options: { node?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CommandResult> {
  return runCommand(options.node ?? process.execPath, [CLI, ...args], { env: options.env ?? process.env });
}

/** The JSON of a command's last line on stdout: the summary `run`, `plan`, `shard` and `commit` print there. */
export function lastJson(result: Pick<CommandResult, "stdout">): ReturnType<typeof JSON.parse> {
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!);
}

let node24: Promise<string> | undefined;

/**
 * The path of a Node 24 binary (the image's major version), from the npm package `node@24` through
 * npx (from the npm cache when it holds it), found once per run and reused: npx itself takes a
 * second or more, so tests start the binary directly.
 */
export function node24Path(): Promise<string> {
  node24 ??= promisify(execFile)("npx", ["-y", "node@24", "-p", "process.execPath"], { timeout: 300_000 }).then(({ stdout }) => {
    const path = stdout.trim().split("\n").at(-1)!;
    if (!path.startsWith("/")) throw new Error(`npx -y node@24 printed no path: ${stdout}`);
    return path;
  });
  return node24;
}
