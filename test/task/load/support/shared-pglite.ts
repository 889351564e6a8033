/**
 * One in-memory PGlite for every warehouse test of a mocha run (starting one takes seconds on
 * a shared machine). Tests keep apart by table name, or by rolling their transaction back.
 * Closed once the whole suite has run.
 */
import { PGlite } from "@electric-sql/pglite";
import { onSuiteTeardown } from "../../../support/global-fixtures.ts";

let shared: Promise<PGlite> | undefined;

/** The run's shared PGlite; the first call starts it. Do not close it. */
export function sharedPglite(): Promise<PGlite> {
  if (!shared) {
    shared = PGlite.create();
    const opened = shared;
    onSuiteTeardown(async () => (await opened).close());
  }
  return shared;
}
