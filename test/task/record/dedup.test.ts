import assert from "node:assert/strict";
import fc from "fast-check";
import { Deduplicator } from "../../../task/src/record/dedup.ts";

describe("Deduplicator", () => {
  it("accepts the first occurrence and refuses every repeat", () => {
    const d = new Deduplicator();
    assert.deepEqual(["a", "b", "a", "c", "b", "a"].map((x) => d.firstSeen(x)), [true, true, false, true, false, false]);
    assert.equal(d.size, 3);
  });

  it("keeps exactly the distinct values, in first-seen order (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 3 }), { maxLength: 200 }), (xs) => {
        const d = new Deduplicator();
        assert.deepEqual(xs.filter((x) => d.firstSeen(x)), [...new Set(xs)]);
      }),
    );
  });
});
