// Builds dist/task/ (task/build.sh) unless it was built from exactly the sources there now: what
// `cti-etl` (bin/cti-etl.js) runs is the bundle, so a stale one would run old code. The sources'
// fingerprint (every file under task/src, task/build.sh and the scripts it runs, the lockfile: paths and contents) is kept
// in dist/task.stamp, which task/build.sh removes first, so a build by any other way is never
// taken for this one. Run by `npm ci` (prepare), `npm start` (prestart) and before the tests
// (test/support/global-fixtures.ts); about 30 ms when nothing changed, 4–6 s to build (most of it
// the warehouse template's initdb).
// Plain JavaScript: it runs before anything is built, with no TypeScript loader.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const stamp = join(root, "dist/task.stamp");

/** Every file under `dir`, recursively, sorted so the fingerprint does not depend on listing order. */
function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

/** A hash of the inputs' paths and contents: a changed, added or removed source changes it. */
export function sourcesFingerprint() {
  const hash = createHash("sha256");
  for (const file of [...filesUnder(join(root, "task/src")), join(root, "task/build.sh"), join(root, "task/scripts/warehouse-template.mjs"), join(root, "package-lock.json")]) {
    hash.update(relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

/** Builds unless dist/task/ is current; returns whether it built. */
export function ensureBuild() {
  const wanted = sourcesFingerprint();
  const current = existsSync(join(root, "dist/task/main.mjs")) && existsSync(stamp) ? readFileSync(stamp, "utf8").trim() : "";
  if (current === wanted) return false;
  execFileSync("sh", [join(root, "task/build.sh")], { stdio: "inherit" });
  writeFileSync(stamp, `${wanted}\n`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  if (ensureBuild()) process.stderr.write(`cti-etl: built dist/task/ in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
