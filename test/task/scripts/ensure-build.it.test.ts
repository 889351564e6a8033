/**
 * task/scripts/ensure-build.mjs: what runs before the tests, `npm start` and at `npm ci`. It must
 * build when dist/task/ was not built from the sources there now, and only then.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const script = join(root, "task/scripts/ensure-build.mjs");
const stampFile = join(root, "dist/task.stamp");
const ensure = () => promisify(execFile)(process.execPath, [script], { cwd: root });

describe("task/scripts/ensure-build.mjs", function () {
  this.timeout(120_000);

  it("builds when the stamp does not match the sources, then records them; a second call builds nothing", async () => {
    await writeFile(stampFile, "not-these-sources\n");
    const first = await ensure();
    assert.match(first.stderr, /built dist\/task\//);
    assert.match(await readFile(stampFile, "utf8"), /^[0-9a-f]{64}\n$/);
    const built = (await stat(join(root, "dist/task/main.mjs"))).mtimeMs;
    const second = await ensure();
    assert.equal(second.stderr, "");
    assert.equal((await stat(join(root, "dist/task/main.mjs"))).mtimeMs, built);
  });

  it("builds when the bundle is missing, whatever the stamp says", async () => {
    await ensure();
    await rm(join(root, "dist/task/main.mjs"));
    const again = await ensure();
    assert.match(again.stderr, /built dist\/task\//);
    await stat(join(root, "dist/task/main.mjs"));
  });
});
