import assert from "node:assert/strict";
import { planLineAt, publishedShardProblems, runIdOfPlan, shardId, shardsRootOf, shardSummaryUri } from "../../../task/src/plan/shard-check.ts";
import type { PlanLine } from "../../../task/src/plan/plan-file.ts";

const line: PlanLine = {
  runId: "r1",
  index: 1,
  of: 2,
  bytes: 30,
  objects: [
    { uri: "s3://b/in/a.csv", bytes: 10, etag: '"a"' },
    { uri: "s3://b/in/b.csv", bytes: 20, etag: '"b"' },
  ],
};
const inputs = line.objects.map((o) => ({ uri: o.uri, bytes: o.bytes, etag: o.etag, sha256: "0".repeat(64), counts: { rowsRead: 1, clean: 1, duplicates: 0, rejected: 0, rejectedByReason: {} } }));

describe("shard locations and checks", () => {
  it("numbers shard folders with five digits, beside the plan, and reads the run id from the plan's folder", () => {
    assert.equal(shardId(3), "00003");
    assert.equal(shardId(99_999), "99999");
    assert.equal(shardsRootOf("s3://b/runs/r1/plan.jsonl"), "s3://b/runs/r1/shards/");
    assert.equal(shardsRootOf("file:///tmp/out/r1/plan.jsonl"), "file:///tmp/out/r1/shards/");
    assert.equal(runIdOfPlan("s3://b/runs/r1/plan.jsonl"), "r1");
    assert.equal(shardSummaryUri("s3://b/runs/r1/plan.jsonl", 3), "s3://b/runs/r1/shards/00003/summary.json");
    assert.throws(() => shardsRootOf("s3://b/runs/r1/plan.json"), /USAGE|--plan must name a run's plan\.jsonl/);
  });

  it("finds the plan line of a shard, or says how many there are", () => {
    assert.equal(planLineAt([line, line], 1, "p"), line);
    assert.throws(() => planLineAt([line, line], 2, "s3://b/runs/r1/plan.jsonl"), /--index 2: the plan s3:\/\/b\/runs\/r1\/plan\.jsonl has 2 shard\(s\), 0 to 1/);
  });

  it("accepts a published shard that read exactly its planned objects, and says what differs otherwise", () => {
    assert.deepEqual(publishedShardProblems({ runId: "r1", inputs }, line), []);
    assert.deepEqual(publishedShardProblems({ runId: "r2", inputs }, line), ["it belongs to run r2, the plan to run r1"]);
    const other = [inputs[0]!, { ...inputs[1]!, etag: '"changed"' }];
    assert.deepEqual(publishedShardProblems({ runId: "r1", inputs: other }, line), [
      `it read s3://b/in/a.csv (10 bytes, ETag "a"), s3://b/in/b.csv (20 bytes, ETag "changed"); the plan says s3://b/in/a.csv (10 bytes, ETag "a"), s3://b/in/b.csv (20 bytes, ETag "b")`,
    ]);
    assert.equal(publishedShardProblems({ runId: "r1", inputs: inputs.slice(0, 1) }, line).length, 1);
  });
});
