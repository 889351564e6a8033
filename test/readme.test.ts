/**
 * The README's configuration reference lists every variable the job reads: the schema
 * (task/src/config/environment.ts) is the one source, the README a view of it.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { ENVIRONMENT_KEYS } from "../task/src/config/environment.ts";

describe("README", () => {
  it("lists every environment variable of the schema in its configuration reference", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const start = readme.indexOf("## Configuration reference");
    const reference = readme.slice(start, readme.indexOf("## Operations", start));
    assert.ok(start >= 0 && reference.length > 0, "README has a configuration reference before Operations");
    for (const key of ENVIRONMENT_KEYS) assert.ok(reference.includes(`\`${key}\``), `${key} is missing from the README's configuration reference`);
  });

  it("maps every folder of task/src, and only those", async () => {
    const { readdir } = await import("node:fs/promises");
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const map = readme.slice(readme.indexOf("## The code, in the order data flows"), readme.indexOf("## What the job does"));
    const named = [...map.matchAll(/^\| `([a-z0-9-]+)\/`/gm)].map((m) => m[1]!);
    const folders = (await readdir(new URL("../task/src/", import.meta.url), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    assert.ok(named.length >= 8, "the map lists the stages");
    for (const name of named) assert.ok(folders.includes(name), `the map names task/src/${name}/, which does not exist`);
    for (const folder of folders) assert.ok(map.includes(`\`${folder}/\``), `task/src/${folder}/ is missing from the README's map`);
  });
});
