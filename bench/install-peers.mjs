// Installs the benchmark's nodejs-polars peer when it is missing, without touching
// package.json or the lockfile (`--no-save`). It is not a devDependency because the npm
// registry lacks several of its platform packages, which makes a lockfile with it unusable
// for `npm ci`. Only the binding for this machine is fetched.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

const VERSION = "0.26.1";
const require = createRequire(import.meta.url);
try {
  require("nodejs-polars");
} catch {
  const libc = process.report.getReport().header.glibcVersionRuntime ? "gnu" : "musl";
  const binding = `nodejs-polars-${process.platform}-${process.arch}${process.platform === "linux" ? `-${libc}` : ""}`;
  console.error(`bench: installing nodejs-polars ${VERSION} (${binding}) with --no-save`);
  execFileSync("npm", ["install", "--no-save", "--ignore-scripts", `nodejs-polars@${VERSION}`, `${binding}@${VERSION}`], { stdio: "inherit" });
}
