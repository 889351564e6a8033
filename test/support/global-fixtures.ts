/**
 * Mocha global fixtures: services that integration tests share are started once per run
 * here and stopped by PID in `mochaGlobalTeardown`, even when tests fail.
 */
const teardowns: Array<() => Promise<void>> = [];

/** Registers a stop function to run once after the whole suite. */
export function onSuiteTeardown(stop: () => Promise<void>): void {
  teardowns.push(stop);
}

export async function mochaGlobalTeardown(): Promise<void> {
  for (const stop of teardowns.reverse()) {
    await stop().catch((error: unknown) => console.error("teardown failed:", error));
  }
}
