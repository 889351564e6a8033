/**
 * Node 24, the image's version, for tests that need what the test process's Node 20 lacks (zstd
 * in node:zlib): the npm package `node@24`, run through npx once to find its binary, which
 * tests then spawn directly (tracked, so a failing test still stops it by PID).
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { runCommand, type CommandResult } from "./processes.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const MOCHA = fileURLToPath(new URL("../../node_modules/mocha/bin/mocha.js", import.meta.url));

let binary: Promise<string> | undefined;

/** The path of Node 24's `node` binary (npx fetches the package the first time). */
export function node24Binary(): Promise<string> {
  binary ??= promisify(execFile)("npx", ["-y", "node@24", "-p", "process.execPath"], { cwd: REPO }).then(({ stdout }) => stdout.trim());
  return binary;
}

/** Runs `node <args>` under Node 24, from the repository's root unless `cwd` says otherwise. */
export async function runNode24(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CommandResult> {
  return runCommand(await node24Binary(), args, { cwd: options.cwd ?? REPO, env: options.env ?? process.env });
}

/** What a mocha run under Node 24 reported. */
export interface MochaReport {
  passes: string[];
  failures: { title: string; message: string }[];
  pending: string[];
}

/**
 * Runs the tests of `file` whose full title matches `grep` with mocha under Node 24 (the
 * project's .mocharc: tsx, global fixtures), and returns their outcome, so a test on Node 20
 * can hold the Node 24 ones to account: none may fail or be skipped.
 */
export async function mochaUnderNode24(file: string, grep: string): Promise<MochaReport> {
  const run = await runNode24([MOCHA, "--reporter", "json", "--grep", grep, file]);
  const json = run.stdout.slice(run.stdout.indexOf("{"));
  let report: { passes: { fullTitle: string }[]; failures: { fullTitle: string; err: { message?: string } }[]; pending: { fullTitle: string }[] };
  try {
    report = JSON.parse(json);
  } catch {
    throw new Error(`mocha under Node 24 printed no report (exit ${run.code}): ${run.stderr.slice(-2000)}${run.stdout.slice(-2000)}`);
  }
  return {
    passes: report.passes.map((t) => t.fullTitle),
    failures: report.failures.map((t) => ({ title: t.fullTitle, message: t.err.message ?? "" })),
    pending: report.pending.map((t) => t.fullTitle),
  };
}
