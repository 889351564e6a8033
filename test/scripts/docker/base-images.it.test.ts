/**
 * The stand-in base images (scripts/docker/base-images.sh): tagged as task/Dockerfile's FROM lines
 * name them, shaped as the real images are where the image build and the task depend on it, and
 * not rebuilt when nothing changed.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { docker, DockerCommandError, removeContainer, requireDockerEngine, uniqueName } from "../../support/docker/engine.ts";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("scripts/docker/base-images.sh", function () {
  let buildBase: string;
  let runtimeBase: string;
  const containers: string[] = [];

  before(async function () {
    this.timeout(10 * 60_000);
    await requireDockerEngine();
    const dockerfile = await readFile(`${root}task/Dockerfile`, "utf8");
    buildBase = /^FROM (\S+) AS build$/m.exec(dockerfile)![1]!;
    runtimeBase = /^FROM (\S+) AS runtime$/m.exec(dockerfile)![1]!;
    await run("sh", ["scripts/docker/base-images.sh"], { cwd: root });
  });

  afterEach(async () => {
    for (const id of containers.splice(0)) await removeContainer(id);
  });

  /** Runs `args` in `image` to completion; its exit code and output. */
  async function inImage(image: string, options: readonly string[], args: readonly string[]) {
    const { stdout: id } = await docker(["create", "--name", uniqueName("cti-etl-stand-in"), "--network", "none", ...options, image, ...args]);
    containers.push(id.trim());
    try {
      const out = await docker(["start", "--attach", id.trim()]);
      return { exitCode: 0, ...out };
    } catch (error) {
      if (!(error instanceof DockerCommandError)) throw error;
      const { stdout: code } = await docker(["inspect", "--format", "{{.State.ExitCode}}", id.trim()]);
      return { exitCode: Number(code.trim()), stdout: error.stdout, stderr: error.stderr };
    }
  }

  it("does nothing when both tags exist with the same recipe", async () => {
    const ids = async () => (await docker(["image", "inspect", "--format", "{{.Id}}", buildBase, runtimeBase])).stdout;
    const before = await ids();
    const start = Date.now();
    await run("sh", ["scripts/docker/base-images.sh"], { cwd: root });
    assert.ok(Date.now() - start < 5_000, `a cached run took ${Date.now() - start} ms`);
    assert.equal(await ids(), before);
  });

  it("gives the build stage Node 24 with npm and npx on PATH", async () => {
    const result = await inImage(buildBase, [], ["sh", "-c", "node --version && npm --version && npx --version"]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^v24\.\d+\.\d+\n\d+\.\d+\.\d+\n\d+\.\d+\.\d+\n$/);
  });

  it("sets up the runtime stand-in as distroless nonroot: user 65532, workdir /home/nonroot, node as entry point", async () => {
    const { stdout } = await docker(["image", "inspect", "--format", "{{.Config.User}} {{.Config.WorkingDir}} {{json .Config.Entrypoint}}", runtimeBase]);
    assert.equal(stdout.trim(), '65532 /home/nonroot ["/nodejs/bin/node"]');
    const result = await inImage(runtimeBase, [], [
      "-e",
      'const os = require("os"), fs = require("fs"); console.log(process.version, os.userInfo().username, (fs.statSync("/tmp").mode & 0o7777).toString(8), fs.readFileSync(process.env.SSL_CERT_FILE, "utf8").includes("BEGIN CERTIFICATE"))',
    ]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout.trim(), /^v24\.\d+\.\d+ nonroot 1777 true$/);
  });

  it("has no shell and no package manager in the runtime stand-in", async () => {
    for (const program of ["/bin/sh", "/bin/bash", "/usr/bin/apt-get", "/usr/bin/dpkg", "/usr/local/bin/npm"]) {
      const result = await inImage(runtimeBase, ["--entrypoint", program], ["--version"]);
      assert.notEqual(result.exitCode, 0, `${program} ran in the runtime stand-in`);
    }
  });
});
