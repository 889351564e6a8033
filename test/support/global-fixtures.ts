/**
 * Mocha global fixtures: services that integration tests share are started once per run
 * here and stopped by PID in `mochaGlobalTeardown`, even when tests fail.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
const teardowns: Array<() => Promise<void>> = [];

/** Registers a stop function to run once after the whole suite. */
export function onSuiteTeardown(stop: () => Promise<void>): void {
  teardowns.push(stop);
}

/**
 * Before any test: the command the tests run (`node bin/cti-etl.js`) is the built bundle, so build
 * it unless it is current (task/scripts/ensure-build.mjs: ~30 ms when it is). Every mocha run,
 * `npm test` or `npx mocha <file>`, thus runs what the sources say, never a stale bundle.
 */
export function mochaGlobalSetup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL("../../task/scripts/ensure-build.mjs", import.meta.url))], { stdio: "inherit" });
}

export async function mochaGlobalTeardown(): Promise<void> {
  for (const stop of teardowns.reverse()) {
    await stop().catch((error: unknown) => console.error("teardown failed:", error));
  }
}
