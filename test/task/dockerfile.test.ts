import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { imageBuildInputs } from "../../infra/image-build.ts";
import { containerUser } from "../../infra/task-definition.ts";

const dockerfile = readFileSync(new URL("../../task/Dockerfile", import.meta.url), "utf8");
const dockerignore = readFileSync(new URL("../../.dockerignore", import.meta.url), "utf8");
const instructions = dockerfile
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));
const stages = instructions.map((line, i) => [line, i] as const).filter(([line]) => /^FROM /i.test(line));
const finalStage = instructions.slice(stages[stages.length - 1]![1]);

describe("task/Dockerfile", () => {
  it("is multi-stage: a Node 24 build stage and a distroless Node 24 runtime", () => {
    assert.ok(stages.length >= 2);
    assert.match(stages[0]![0], /^FROM node:24-slim AS build$/);
    assert.match(stages[stages.length - 1]![0], /^FROM gcr\.io\/distroless\/nodejs24-debian12:nonroot\b/);
  });

  it("installs exactly the lockfile, without install scripts, and bundles with task/build.sh", () => {
    assert.ok(instructions.includes("RUN npm ci --no-audit --no-fund --ignore-scripts"));
    assert.ok(instructions.includes("RUN sh task/build.sh"));
  });

  it("ships only the one bundled file into the runtime image", () => {
    const copies = finalStage.filter((line) => /^COPY /.test(line));
    assert.deepEqual(copies, ["COPY --from=build /src/dist/task/main.mjs /app/main.mjs"]);
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
