import assert from "node:assert/strict";
import fc from "fast-check";
import { inKeyOrder, planShards, type PlannedObject } from "../../../task/src/plan/shard-plan.ts";

const objectsOf = (sizes: number[]): PlannedObject[] => sizes.map((bytes, i) => ({ uri: `s3://b/in/${String(i).padStart(5, "0")}.csv.gz`, bytes, etag: `"e${i}"` }));
const sizes = (shards: ReturnType<typeof planShards>) => shards.map((s) => s.bytes);

describe("planShards", () => {
  it("cuts at the boundaries nearest to even shares, not greedily", () => {
    // Greedy packing up to 100 would give 100, 100, 20.
    assert.deepEqual(sizes(planShards(objectsOf([20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20]), 100)), [80, 60, 80]);
    assert.deepEqual(sizes(planShards(objectsOf([50, 50, 50, 50, 20]), 100)), [50, 100, 70]);
  });

  it("keeps an object larger than the target whole, in a shard of its own", () => {
    assert.deepEqual(sizes(planShards(objectsOf([10, 500, 10]), 100)), [10, 500, 10]);
    assert.deepEqual(sizes(planShards(objectsOf([500]), 100)), [500]);
  });

  it("plans one shard for a small input, and one empty shard for none", () => {
    assert.deepEqual(planShards(objectsOf([1, 2, 3]), 100), [{ index: 0, bytes: 6, objects: objectsOf([1, 2, 3]) }]);
    assert.deepEqual(planShards([], 100), [{ index: 0, bytes: 0, objects: [] }]);
  });

  it("refuses a target that is not a positive whole number of bytes", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => planShards(objectsOf([1]), bad), /shard target must be a positive whole number/);
  });

  it("for any objects and target: contiguous, in order, none empty; at most the target unless one object; within the largest object of the mean", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 5000 }), (sizeList, target) => {
        const objects = objectsOf(sizeList);
        const shards = planShards(objects, target);
        assert.deepEqual(shards.flatMap((s) => s.objects), objects, "every object once, in order");
        assert.deepEqual(shards.map((s) => s.index), shards.map((_, i) => i));
        for (const s of shards) {
          assert.ok(s.objects.length > 0, "no empty shard");
          assert.equal(s.bytes, s.objects.reduce((sum, o) => sum + o.bytes, 0));
          assert.ok(s.bytes <= target || s.objects.length === 1, `shard ${s.index} of ${s.bytes} bytes past ${target}`);
        }
        const total = sizeList.reduce((a, b) => a + b, 0);
        const mean = total / shards.length;
        const largest = Math.max(...sizeList);
        for (const s of shards) assert.ok(Math.abs(s.bytes - mean) <= largest, `shard ${s.index}: ${s.bytes} bytes, mean ${mean}, largest object ${largest}: ${sizes(shards)}`);
        assert.ok(shards.length >= Math.min(sizeList.length, Math.ceil(total / target)), "no fewer shards than the target allows");
      }),
      { numRuns: 2000 },
    );
  });
});

describe("inKeyOrder", () => {
  it("orders by the URIs' UTF-8 bytes, as S3 lists keys", () => {
    const uris = ["s3://b/\u{1F600}.csv", "s3://b/\uFF01.csv", "s3://b/B.csv", "s3://b/a.csv"];
    // UTF-16 order would put the emoji (a surrogate pair, 0xD83D…) before U+FF01.
    assert.deepEqual(inKeyOrder(uris.map((uri) => ({ uri }))).map((o) => o.uri), ["s3://b/B.csv", "s3://b/a.csv", "s3://b/\uFF01.csv", "s3://b/\u{1F600}.csv"]);
  });
});
