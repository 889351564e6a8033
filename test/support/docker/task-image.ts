/**
 * The task image, built the way a user builds it: the stand-in base images
 * (scripts/docker/base-images.sh), then `DOCKER_BUILDKIT=0 docker build -f task/Dockerfile .`
 * from the repository root, once per mocha run. The build stage's `npm ci` reaches the npm
 * registry with the engine's host network and trusts what this machine's npm trusts: the
 * certificates of npm's `cafile` that Node does not ship go in through the Dockerfile's
 * NPM_EXTRA_CA_CERTS build argument (the same option corporate users have).
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { imageBuildArgs, pemCertificates } from "../../../infra/image-build.ts";
import { docker, requireDockerEngine, uniqueName } from "./engine.ts";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../../", import.meta.url));

/** The build stage's tag, as task/Dockerfile's first FROM line names it. */
const buildBase = "node:24-slim";

/**
 * The certificates of a PEM bundle that are not among `builtIn` (compared without whitespace),
 * in bundle order, each once. Only these need passing to a Node that already trusts `builtIn`;
 * a whole system bundle (about 220 kB) would not fit the 128 KiB Linux allows one environment
 * string (MAX_ARG_STRLEN), which a build argument becomes in a `RUN`.
 */
export function extraCertificates(bundle: string, builtIn: readonly string[]): string[] {
  const squash = (pem: string) => pem.replace(/\s+/g, "");
  const known = new Set(builtIn.map(squash));
  const extra: string[] = [];
  for (const pem of pemCertificates(bundle)) {
    const key = squash(pem);
    if (known.has(key)) continue;
    known.add(key);
    extra.push(pem);
  }
  return extra;
}

/** The CA file this machine's npm uses (`npm config get cafile`), or undefined when none is set. */
async function npmCafile(): Promise<string | undefined> {
  const { stdout } = await run("npm", ["config", "get", "cafile"], { cwd: root });
  const value = stdout.trim();
  return value === "" || value === "null" || value === "undefined" ? undefined : value;
}

/** The root certificates the build stage's Node ships (asked of that Node, in a container). */
async function buildStageRoots(): Promise<string[]> {
  const { stdout } = await docker([
    "run", "--rm", "--name", uniqueName("cti-etl-roots"), "--network", "none", buildBase,
    "node", "-e", "process.stdout.write(JSON.stringify(require('tls').rootCertificates))",
  ]);
  return JSON.parse(stdout) as string[];
}

/** PEM text for NPM_EXTRA_CA_CERTS: what npm's cafile trusts beyond the build stage's Node ("" if nothing). */
export async function npmExtraCaCerts(): Promise<string> {
  const cafile = await npmCafile();
  if (cafile === undefined) return "";
  return extraCertificates(await readFile(cafile, "utf8"), await buildStageRoots()).join("\n");
}

/** Seconds the last {@link taskImage} build took (stand-ins and image), for reports. */
export const taskImageTimings: { standInsSeconds?: number; buildSeconds?: number } = {};

async function buildTaskImage(): Promise<string> {
  await requireDockerEngine();
  let start = Date.now();
  await run("sh", ["scripts/docker/base-images.sh"], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  taskImageTimings.standInsSeconds = (Date.now() - start) / 1000;
  const ca = await npmExtraCaCerts();
  const args = imageBuildArgs(ca === "" ? undefined : { path: "npm's cafile (certificates Node lacks)", text: ca });
  const buildArgs = Object.entries(args).flatMap(([name, value]) => ["--build-arg", `${name}=${value}`]);
  start = Date.now();
  const { stdout } = await docker(
    // The same build arguments `pulumi up` passes (infra/registry.ts), size guard included.
    ["build", "--quiet", "--force-rm", "--network", "host", ...buildArgs, "-f", "task/Dockerfile", "."],
    { cwd: root, env: { ...process.env, DOCKER_BUILDKIT: "0" } },
  );
  taskImageTimings.buildSeconds = (Date.now() - start) / 1000;
  const id = stdout.trim().split("\n").pop()!;
  if (!/^sha256:[0-9a-f]{64}$/.test(id)) throw new Error(`docker build printed no image id: ${stdout}`);
  return id;
}

let built: Promise<string> | undefined;

/**
 * The id (`sha256:…`) of the task image built from this working tree; built once per mocha run
 * (the first call builds, later calls share it). Takes under a minute with cached stand-ins and
 * `npm ci` layers; the first build on a machine also makes the stand-ins (about 40 s).
 */
export function taskImage(): Promise<string> {
  built ??= buildTaskImage();
  return built;
}
