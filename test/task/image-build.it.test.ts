/**
 * Builds the task the way task/Dockerfile does (task/build.sh), then runs the result the way the
 * image does: the bundle alone in an otherwise empty directory (no node_modules, no sources),
 * as a user with nothing in its environment but PATH.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));

describe("task image build (task/build.sh)", function () {
  this.timeout(120_000);
  let image: string;

  before(async function () {
    if (!existsSync(join(root, "task/src/main.ts"))) this.skip();
    await run("sh", [join(root, "task/build.sh")], { cwd: root });
    image = mkdtempSync(join(tmpdir(), "cti-etl-image-"));
    copyFileSync(join(root, "dist/task/main.mjs"), join(image, "main.mjs"));
  });

  after(() => {
    if (image) rmSync(image, { recursive: true, force: true });
  });

  /** `node /app/main.mjs <args>`, as the image's ENTRYPOINT. */
  function runImage(args: string[]) {
    return run(process.execPath, [join(image, "main.mjs"), ...args], { cwd: image, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
  }

  it("produces one self-contained file that prints its usage and exits 0", async () => {
    const { stdout } = await runImage(["--help"]);
    assert.match(stdout, /Usage:/);
    assert.match(stdout, /cti-etl run --input/);
  });

  it("reports its version from the bundle", async () => {
    const { stdout } = await runImage(["--version"]);
    assert.match(stdout, /^cti-etl \d+\.\d+\.\d+/);
  });
});
