import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { runCommand } from "./support/processes.ts";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

describe("tsconfig.json", function () {
  // About 10 s on an idle 2-core machine; slower when the suite runs beside it.
  this.timeout(180_000);

  it("type-checks everything that ships and its tests, needing no package npm ci leaves out", async () => {
    const result = await runCommand(process.execPath, [tsc, "-p", "tsconfig.json", "--noEmit", "--listFiles"]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const files = result.stdout.split("\n");
    for (const folder of ["task/src/", "infra/", "scheduler/", "policy/", "test/", "bench/"]) {
      assert.ok(files.some((f) => f.startsWith(`${process.cwd()}/${folder}`)), `nothing checked under ${folder}`);
    }
    // nodejs-polars is installed by `npm run bench` only (bench/install-peers.mjs): a fresh clone lacks it.
    assert.deepEqual(files.filter((f) => /nodejs-polars/.test(f)), []);
  });
});
