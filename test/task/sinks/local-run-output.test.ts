import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { EtlError } from "../../../task/src/errors.ts";
import { INCOMPLETE_PREFIX, LocalRunOutput } from "../../../task/src/sinks/local-run-output.ts";
import { tempDir } from "../../support/temp-dir.ts";

describe("LocalRunOutput", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(async () => dir.cleanup());

  async function writeOne(out: LocalRunOutput, rel: string, text: string) {
    const sink = await out.createFile(rel);
    sink.stream.end(text);
    await sink.done;
  }

  it("keeps a run under an incomplete name until publish, then shows it whole", async () => {
    const out = await LocalRunOutput.create(dir.path, "r1");
    await writeOne(out, "clean/part-00000.csv.gz", "x");
    const before = await readdir(dir.path);
    assert.equal(before.length, 1);
    assert.ok(before[0]!.startsWith(`${INCOMPLETE_PREFIX}r1.`), before[0]);
    await out.publish([{ relPath: "summary.json", body: "{}" }]);
    assert.deepEqual(await readdir(dir.path), ["r1"]);
    assert.deepEqual((await readdir(join(dir.path, "r1"))).sort(), ["clean", "summary.json"]);
    assert.equal(await readFile(join(dir.path, "r1", "clean", "part-00000.csv.gz"), "utf8"), "x");
  });

  it("never replaces a published run with the same id", async () => {
    const first = await LocalRunOutput.create(dir.path, "same");
    await first.publish([{ relPath: "summary.json", body: "first" }]);
    await assert.rejects(LocalRunOutput.create(dir.path, "same"), (e: unknown) => e instanceof EtlError && e.code === "OUTPUT_REJECTED");
    assert.equal(await readFile(join(dir.path, "same", "summary.json"), "utf8"), "first");
  });

  it("refuses to publish over a run that appeared meanwhile", async () => {
    const a = await LocalRunOutput.create(dir.path, "race");
    const b = await LocalRunOutput.create(dir.path, "race");
    await writeOne(b, "x.txt", "b");
    await a.publish([{ relPath: "summary.json", body: "a" }]);
    await assert.rejects(b.publish([{ relPath: "summary.json", body: "b" }]), (e: unknown) => e instanceof EtlError && e.code === "OUTPUT_REJECTED");
    assert.equal(await readFile(join(dir.path, "race", "summary.json"), "utf8"), "a");
  });

  it("discard removes what an unfinished run wrote", async () => {
    const out = await LocalRunOutput.create(dir.path, "gone");
    await writeOne(out, "clean/p.csv.gz", "x");
    await out.discard();
    assert.deepEqual(await readdir(dir.path), []);
  });

  it("names final URLs for the manifest", async () => {
    const out = await LocalRunOutput.create(dir.path, "u");
    assert.equal(out.urlOf("clean/part-00000.csv.gz"), `file://${join(dir.path, "u", "clean", "part-00000.csv.gz")}`);
  });
});
