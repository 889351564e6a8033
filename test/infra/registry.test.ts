import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dockerfilePath, imageTagFor } from "../../infra/image-build.ts";
import { readBuildFiles } from "../../infra/registry.ts";
import { Registry } from "../../infra/registry.ts";
import { caBuildArg } from "../../infra/image-build.ts";
import { loadProgram, oneResource, sandboxPrefix, settle } from "./support/pulumi-mocks.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

describe("Registry", () => {
  let outputs: Record<string, unknown>;
  before(async () => ({ outputs } = await loadProgram()));

  it("creates a repository with immutable tags, scan on push and encryption", () => {
    const repository = oneResource("aws:ecr/repository:Repository");
    assert.equal(repository.inputs.imageTagMutability, "IMMUTABLE");
    assert.deepEqual(repository.inputs.imageScanningConfiguration, { scanOnPush: true });
    assert.deepEqual(repository.inputs.encryptionConfigurations, [{ encryptionType: "AES256" }]);
  });

  it("lets pulumi destroy remove the repository with its images (they are rebuilt from source)", () => {
    assert.equal(oneResource("aws:ecr/repository:Repository").inputs.forceDelete, true);
  });

  it("attaches a lifecycle policy to that repository", () => {
    const repository = oneResource("aws:ecr/repository:Repository");
    const policy = oneResource("aws:ecr/lifecyclePolicy:LifecyclePolicy");
    assert.equal(policy.inputs.repository, repository.state.name);
    assert.equal(JSON.parse(String(policy.inputs.policy)).rules.length, 2);
  });

  it("builds task/Dockerfile from the repository root for the task's architecture", () => {
    const image = oneResource("awsx:ecr:Image");
    assert.equal(image.inputs.context, repoRoot);
    assert.equal(image.inputs.dockerfile, `${repoRoot}/${dockerfilePath}`);
    assert.ok(existsSync(String(image.inputs.dockerfile)));
    assert.equal(image.inputs.platform, "linux/arm64");
    assert.equal(image.inputs.repositoryUrl, oneResource("aws:ecr/repository:Repository").state.repositoryUrl);
  });

  it("tags the image with the digest of its build inputs", () => {
    assert.equal(oneResource("awsx:ecr:Image").inputs.imageTag, imageTagFor(readBuildFiles(repoRoot), "linux/arm64"));
  });

  it("exports the image by digest", () => {
    assert.match(String(outputs.imageUri), /^\d{12}\.dkr\.ecr\.us-east-1\.amazonaws\.com\/[\w-]+@sha256:[0-9a-f]{64}$/);
  });

  it("passes no build argument by default", () => {
    assert.deepEqual(oneResource("awsx:ecr:Image").inputs.args ?? {}, {});
  });

  describe("with imageBuildCaFile (a sandbox component)", () => {
    const name = `${sandboxPrefix}registry-ca`;
    let dir: string;
    const pem = "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----";

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "cti-etl-ca-"));
      writeFileSync(join(dir, "ca.pem"), `# proxy root\n${pem}\n`);
      new Registry(name, { buildContext: repoRoot, cpuArchitecture: "X86_64", caBundleFile: join(dir, "ca.pem") });
      await settle();
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("hands the file's certificates to the build as the Dockerfile's CA argument, without changing the tag", () => {
      const image = oneResource("awsx:ecr:Image", name);
      assert.deepEqual(image.inputs.args, { [caBuildArg]: pem });
      assert.equal(image.inputs.imageTag, imageTagFor(readBuildFiles(repoRoot), "linux/amd64"));
    });
  });

  describe("readBuildFiles", () => {
    it("reads the manifest, the lockfile, the Dockerfile and the task sources, nothing else", () => {
      const paths = readBuildFiles(repoRoot).map((file) => file.path);
      for (const path of ["package.json", "package-lock.json", "task/Dockerfile", "task/build.sh", "task/src/main.ts"]) assert.ok(paths.includes(path), path);
      assert.ok(paths.every((path) => path === "package.json" || path === "package-lock.json" || path.startsWith("task/")));
      assert.ok(!paths.some((path) => path.includes("node_modules")));
    });
  });
});
