import assert from "node:assert/strict";
import fc from "fast-check";
import {
  caBuildArg,
  dockerPlatform,
  ecrLifecyclePolicy,
  imageBuildArgs,
  imageBuildInputs,
  imageTagFor,
  isBuildInput,
  maxBuildArgBytes,
} from "../../infra/image-build.ts";

describe("image-build", () => {
  describe("imageTagFor", () => {
    const files = [
      { path: "package.json", content: "{}" },
      { path: "task/src/main.ts", content: "console.log(1)" },
    ];

    it("is a short, tag-safe digest", () => {
      assert.match(imageTagFor(files, "linux/arm64"), /^src-[0-9a-f]{20}$/);
    });

    it("does not depend on file order", () => {
      fc.assert(fc.property(fc.shuffledSubarray(files, { minLength: 2 }), (shuffled) => imageTagFor(shuffled, "linux/arm64") === imageTagFor(files, "linux/arm64")));
    });

    it("changes when any file, path or the platform changes", () => {
      const base = imageTagFor(files, "linux/arm64");
      assert.notEqual(imageTagFor([files[0]!, { ...files[1]!, content: "console.log(2)" }], "linux/arm64"), base);
      assert.notEqual(imageTagFor([files[0]!, { ...files[1]!, path: "task/src/other.ts" }], "linux/arm64"), base);
      assert.notEqual(imageTagFor(files, "linux/amd64"), base);
    });

    it("cannot be fooled by moving bytes between a path and its content", () => {
      assert.notEqual(imageTagFor([{ path: "ab", content: "c" }], "p"), imageTagFor([{ path: "a", content: "bc" }], "p"));
    });
  });

  describe("imageBuildArgs", () => {
    const pem = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`;

    it("passes no build argument without a CA file", () => {
      assert.deepEqual(imageBuildArgs(undefined), {});
    });

    it("passes the file's certificates, and only them, as the Dockerfile's CA argument", () => {
      const text = `# corporate roots\n${pem("QUJD")}\nsome trailing note\n${pem("REVG")}\n`;
      assert.deepEqual(imageBuildArgs({ path: "ca.pem", text }), { [caBuildArg]: `${pem("QUJD")}\n${pem("REVG")}` });
    });

    it("refuses a file without a certificate, naming it", () => {
      assert.throws(() => imageBuildArgs({ path: "certs/ca.pem", text: "not a certificate" }), /certs\/ca\.pem holds no PEM certificate/);
    });

    it("refuses certificates too large for one build argument (MAX_ARG_STRLEN)", () => {
      const text = pem("A".repeat(maxBuildArgBytes));
      assert.throws(() => imageBuildArgs({ path: "big.pem", text }), /big\.pem holds \d+ bytes of certificates/);
    });

    it("names the argument task/Dockerfile declares in its build stage", async () => {
      const { readFile } = await import("node:fs/promises");
      const dockerfile = await readFile(new URL("../../task/Dockerfile", import.meta.url), "utf8");
      assert.match(dockerfile, new RegExp(`^ARG ${caBuildArg}=`, "m"));
    });
  });

  describe("dockerPlatform", () => {
    it("maps ECS architectures to Docker platforms", () => {
      assert.equal(dockerPlatform("ARM64"), "linux/arm64");
      assert.equal(dockerPlatform("X86_64"), "linux/amd64");
    });
  });

  describe("isBuildInput", () => {
    it("lets in the manifest, the lockfile and task/, nothing else", () => {
      assert.deepEqual(imageBuildInputs, ["package.json", "package-lock.json", "task/"]);
      for (const path of ["package.json", "package-lock.json", "task/Dockerfile", "task/src/main.ts"]) assert.ok(isBuildInput(path), path);
      for (const path of ["infra/index.ts", "tasks/x", "package.json.bak", ".git/HEAD", "Pulumi.dev.yaml"]) assert.ok(!isBuildInput(path), path);
    });
  });

  describe("ecrLifecyclePolicy", () => {
    it("expires untagged images first, then all but the newest", () => {
      assert.deepEqual(JSON.parse(ecrLifecyclePolicy({ keepImages: 20, untaggedDays: 1 })), {
        rules: [
          {
            rulePriority: 1,
            description: "Expire untagged images after 1 day(s)",
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 },
            action: { type: "expire" },
          },
          {
            rulePriority: 2,
            description: "Keep the 20 most recent images",
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 20 },
            action: { type: "expire" },
          },
        ],
      });
    });
  });
});
