/**
 * task/build.sh lays out dist/task/, the folder the image ships as /app and the installed command
 * runs: the entries, the chunks esbuild splits out of them, and every file they load from beside
 * themselves. A file a bundle loads but the folder lacks fails only once deployed (the worker
 * entry did, and then PGlite's files), so this checks it here, for every chunk too. It also checks
 * what loads at start: `--version` nothing but its own code, the composition root no adapter.
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

/**
 * Modules a bundle imports by relative path, statically (`from "./x.mjs"`) or with
 * `import("./x.mjs")`, as esbuild writes its chunks' imports into one flat folder (dependencies'
 * JSDoc type imports, `import('../../types/x.d.ts')` or `'../types/client.js'` left in comments,
 * are not modules).
 */
function relativeImports(bundle: string): string[] {
  const files = new Set<string>();
  for (const m of bundle.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s*)["'](\.\/[^"'/]+\.mjs)["']/g)) files.add(m[1]!);
  return [...files].sort();
}

/** esbuild's metafile (the part used here): each output file, its static and dynamic imports, its sources. */
interface Metafile {
  outputs: Record<string, { entryPoint?: string; imports: { path: string; kind: string; external?: boolean }[]; inputs: Record<string, unknown> }>;
}

/** The packages (under node_modules) whose code runs when `output` is loaded: it and what it imports statically. */
function packagesLoadedWith(meta: Metafile, output: string): Set<string> {
  const seen = new Set<string>();
  const stack = [output];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const i of meta.outputs[file]!.imports) if (i.kind === "import-statement" && !i.external) stack.push(i.path);
  }
  const packages = new Set<string>();
  for (const file of seen) {
    for (const input of Object.keys(meta.outputs[file]!.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      if (m) packages.add(m[1]!);
    }
  }
  return packages;
}

/** Adapters a run loads only when it uses them (main.ts, load/create-warehouse.ts import them with `import()`). */
const ADAPTERS = /^(@aws-sdk\/|@smithy\/|@electric-sql\/pglite$|pg$|pg-|undici$)/;

describe("task/build.sh", function () {
  this.timeout(120_000);
  let shipped: string[];
  let meta: Metafile;

  before(async () => {
    await promisify(execFile)("sh", [join(root, "task/build.sh")], { cwd: root });
    shipped = (await readdir(out)).sort();
    meta = JSON.parse(await readFile(join(root, "dist/task.meta.json"), "utf8")) as Metafile;
  });

  it("lays out the command, the worker entry, the chunks split from them and the embedded warehouse's files, and nothing else", () => {
    const built = Object.keys(meta.outputs).map((f) => f.replace(/^dist\/task\//, "")).sort();
    assert.ok(built.includes("main.mjs") && built.includes("batch-worker.mjs"), built.join(" "));
    assert.ok(built.length > 2, "no chunks: is --splitting on?");
    assert.deepEqual(shipped, [...built, "initdb.wasm", "pglite-template.tar.gz", "pglite.data", "pglite.wasm"].sort());
  });

  it("ships every file a bundle or chunk loads or imports relative to itself, from beside itself", async () => {
    const loaded = new Set<string>();
    for (const name of shipped.filter((f) => f.endsWith(".mjs"))) {
      const text = await readFile(join(out, name), "utf8");
      for (const spec of [...relativeLoads(text), ...relativeImports(text)]) {
        const file = spec.replace(/^\.\//, "");
        assert.ok(!file.includes("/"), `${name} loads ${spec}: outside the folder the image ships`);
        assert.ok(shipped.includes(file), `${name} loads ${spec}, which dist/task/ lacks`);
        loaded.add(file);
      }
    }
    // The worker entry, PGlite's files and the warehouse template are loaded by URL from some chunk: found, so checked above.
    for (const file of ["batch-worker.mjs", "pglite.wasm", "pglite.data", "initdb.wasm", "pglite-template.tar.gz"]) assert.ok(loaded.has(file), `nothing loads ${file}?`);
  });

  it("runs --version on the entry's own code: main.mjs imports no package", () => {
    assert.deepEqual([...packagesLoadedWith(meta, "dist/task/main.mjs")], []);
  });

  it("loads no adapter (AWS SDK, PGlite, pg, undici) with the composition root: each is a chunk imported when a run needs it", () => {
    const rootChunk = Object.entries(meta.outputs).find(([, o]) => o.entryPoint === "task/src/main.ts")?.[0];
    assert.ok(rootChunk, "main.ts is not a chunk of its own");
    const eager = [...packagesLoadedWith(meta, rootChunk)].filter((p) => ADAPTERS.test(p));
    assert.deepEqual(eager, []);
    // …and they are in the build, behind import(): the check above would pass vacuously otherwise.
    const all = new Set(Object.keys(meta.outputs).flatMap((f) => [...packagesLoadedWith(meta, f)]));
    for (const p of ["@aws-sdk/client-s3", "@aws-sdk/client-redshift-data", "@aws-sdk/lib-storage", "@electric-sql/pglite", "pg", "undici"]) assert.ok(all.has(p), `${p} is not in the build`);
  });

  it("finds what a bundle loads in the ways the sources write it", () => {
    const text = 'a(new URL("./x.wasm", import.meta.url)); new URL("y.data",import.meta.url); new URL("../w/b.mjs", here); new URL("https://h/z", import.meta.url)';
    assert.deepEqual(relativeLoads(text), ["../w/b.mjs", "./x.wasm", "y.data"]);
  });

  it("finds the modules a chunk imports, statically and with import()", () => {
    const text = 'import {a as b} from "./chunk-A.mjs";\nimport"./chunk-B.mjs";\nconst m = await import("./pg-C.mjs"); import { x } from "node:fs"; import("@aws-sdk/x");\n/** @type {import(\'../../types/t.d.ts\').T} {import("../types/client.js")} */';
    assert.deepEqual(relativeImports(text), ["./chunk-A.mjs", "./chunk-B.mjs", "./pg-C.mjs"]);
  });
});
