import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { generateSample } from "../../../task/src/sample/sample-generator.ts";

describe("task/sample/sample.csv (what npm start runs on)", () => {
  it("is exactly the generator's output for 5,000 rows, seed 42, with the committed expected counts", async () => {
    const gen = generateSample({ rows: 5000, seed: 42 });
    let text = "";
    let r = gen.next();
    for (; !r.done; r = gen.next()) text += r.value;
    assert.equal(await readFile("task/sample/sample.csv", "utf8"), text);
    assert.deepEqual(JSON.parse(await readFile("task/sample/sample.csv.expected.json", "utf8")), r.value);
  });
});
