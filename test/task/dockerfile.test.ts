import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { imageBuildInputs } from "../../infra/image-build.ts";
import { containerUser, scratchMount } from "../../infra/task-definition.ts";

const dockerfile = readFileSync(new URL("../../task/Dockerfile", import.meta.url), "utf8");
const dockerignore = readFileSync(new URL("../../.dockerignore", import.meta.url), "utf8");
// One entry per instruction: comments dropped, continuation lines (`\` at the end) joined.
const instructions = dockerfile
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"))
  .join("\n")
  .replace(/\s*\\\n\s*/g, " ")
  .split("\n");
const stages = instructions.map((line, i) => [line, i] as const).filter(([line]) => /^FROM /i.test(line));
const finalStage = instructions.slice(stages[stages.length - 1]![1]);
const buildStages = instructions.slice(0, stages[stages.length - 1]![1]);

describe("task/Dockerfile", () => {
  it("is multi-stage: a Node 24 build stage and a distroless Node 24 runtime", () => {
    assert.ok(stages.length >= 2);
    assert.match(stages[0]![0], /^FROM node:24-slim AS build$/);
    assert.match(stages[stages.length - 1]![0], /^FROM gcr\.io\/distroless\/nodejs24-debian12:nonroot\b/);
  });

  it("installs exactly the lockfile, without install scripts, and bundles with task/build.sh", () => {
    assert.ok(buildStages.some((line) => /^RUN .*\bnpm ci --no-audit --no-fund --ignore-scripts$/.test(line)));
    assert.ok(buildStages.includes("RUN sh task/build.sh"));
  });

  it("ships both bundles the job runs (the command and the parallel path's worker) and the prepared /tmp", () => {
    const copies = finalStage.filter((line) => /^COPY /.test(line));
    assert.deepEqual(copies, [
      "COPY --from=build /src/dist/task/main.mjs /src/dist/task/batch-worker.mjs /app/",
      "COPY --from=build /rootfs/ /",
    ]);
    assert.ok(buildStages.includes("RUN install -d -o 65532 -g 65532 -m 1777 /rootfs/tmp"));
  });

  it("declares the task's scratch mount as a volume, so Fargate's bind mount starts with the image's /tmp", () => {
    assert.deepEqual(finalStage.filter((line) => /^VOLUME /.test(line)), [`VOLUME ${scratchMount.containerPath}`]);
  });

  it("takes the optional npm CA bundle in the build stage only", () => {
    assert.ok(buildStages.includes('ARG NPM_EXTRA_CA_CERTS=""'));
    assert.ok(buildStages.some((line) => /^RUN .*NODE_EXTRA_CA_CERTS=.*npm ci /.test(line)));
    assert.ok(!finalStage.some((line) => /NPM_EXTRA_CA_CERTS|NODE_EXTRA_CA_CERTS/.test(line)));
  });

  it("runs as the same non-root user as the task definition", () => {
    const users = finalStage.filter((line) => /^USER /.test(line));
    assert.deepEqual(users, [`USER ${containerUser}`]);
  });

  it("makes the job the entry point", () => {
    assert.deepEqual(finalStage.filter((line) => /^ENTRYPOINT /.test(line)), ['ENTRYPOINT ["/nodejs/bin/node", "/app/main.mjs"]']);
  });
});

describe(".dockerignore", () => {
  it("lets in exactly the build inputs infra hashes into the image tag", () => {
    const lines = dockerignore.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
    assert.equal(lines[0], "*");
    assert.deepEqual(
      lines.slice(1).map((line) => line.replace(/^!/, "")),
      imageBuildInputs.map((input) => input.replace(/\/$/, "")),
    );
  });
});
