/**
 * task/build.sh lays out dist/task/, the folder the image ships as /app: the bundles and every
 * file they load from beside themselves. A file a bundle loads but the folder lacks fails only
 * once deployed (the worker entry did, and then PGlite's files), so this checks it here.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = fileURLToPath(new URL("../../", import.meta.url));
const out = join(root, "dist/task");

/**
 * Files a bundle loads relative to itself: `new URL("<path>", import.meta.url)` (worker entries,
 * wasm, data), as written in the bundle. Absolute URLs are left out, and so are `.ts` sources:
 * worker-pool.ts names its `.ts` entry only on the branch that runs from source.
 */
function relativeLoads(bundle: string): string[] {
  const files = new Set<string>();
  for (const m of bundle.matchAll(/new URL\(\s*["']([^"':]+)["']\s*,\s*(?:import\.meta\.url|here)\s*\)/g)) {
    if (!m[1]!.endsWith(".ts")) files.add(m[1]!);
  }
  return [...files].sort();
}

describe("task/build.sh", function () {
  this.timeout(120_000);
  let shipped: string[];

  before(async () => {
    await promisify(execFile)("sh", [join(root, "task/build.sh")], { cwd: root });
    shipped = (await readdir(out)).sort();
  });

  it("lays out the command, the worker entry and the embedded warehouse's files, and nothing else", () => {
    assert.deepEqual(shipped, ["batch-worker.mjs", "initdb.wasm", "main.mjs", "pglite.data", "pglite.wasm"]);
  });

  it("ships every file a bundle loads relative to itself, from beside itself", async () => {
    for (const name of shipped.filter((f) => f.endsWith(".mjs"))) {
      const wanted = relativeLoads(await readFile(join(out, name), "utf8"));
      assert.ok(wanted.length > 0 || name === "batch-worker.mjs", `${name} loads nothing from beside itself?`);
      for (const spec of wanted) {
        const file = spec.replace(/^\.\//, "");
        assert.ok(!file.includes("/"), `${name} loads ${spec}: outside the folder the image ships`);
        assert.ok(shipped.includes(file), `${name} loads ${spec}, which dist/task/ lacks`);
      }
    }
  });

  it("finds what a bundle loads in the ways the sources write it", () => {
    const text = 'a(new URL("./x.wasm", import.meta.url)); new URL("y.data",import.meta.url); new URL("../w/b.mjs", here); new URL("https://h/z", import.meta.url)';
    assert.deepEqual(relativeLoads(text), ["../w/b.mjs", "./x.wasm", "y.data"]);
  });
});
