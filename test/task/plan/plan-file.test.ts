import assert from "node:assert/strict";
import { parsePlan, planText } from "../../../task/src/plan/plan-file.ts";
import { planShards } from "../../../task/src/plan/shard-plan.ts";

const objects = [
  { uri: "s3://b/in/a.csv", bytes: 10, etag: '"aa"' },
  { uri: "s3://b/in/b.csv.gz", bytes: 20, etag: '"bb"' },
  { uri: "s3://b/in/c.csv", bytes: 15, etag: '"cc"' },
];
const URI = "s3://b/runs/r1/plan.jsonl";

describe("planText and parsePlan", () => {
  it("writes one whole shard a line, which reads back as written", () => {
    const text = planText("r1", planShards(objects, 30));
    assert.deepEqual(text.split("\n"), [
      JSON.stringify({ runId: "r1", index: 0, of: 2, bytes: 30, objects: objects.slice(0, 2) }),
      JSON.stringify({ runId: "r1", index: 1, of: 2, bytes: 15, objects: objects.slice(2) }),
      "",
    ]);
    assert.deepEqual(parsePlan(text, URI), [
      { runId: "r1", index: 0, of: 2, bytes: 30, objects: objects.slice(0, 2) },
      { runId: "r1", index: 1, of: 2, bytes: 15, objects: objects.slice(2) },
    ]);
  });

  it("names the plan, the line and the field of a bad line", () => {
    const lines = planText("r1", planShards(objects, 30)).trimEnd().split("\n");
    const edit = (i: number, change: (o: Record<string, unknown>) => void) => {
      const copy = [...lines];
      const o = JSON.parse(copy[i]!);
      change(o);
      copy[i] = JSON.stringify(o);
      return copy.join("\n") + "\n";
    };
    const cases: [string, RegExp][] = [
      [edit(1, (o) => (o.index = 3)), /BAD_PLAN s3:\/\/b\/runs\/r1\/plan\.jsonl:2 field index: shard 3 where shard 1 belongs/],
      [edit(1, (o) => (o.runId = "r2")), /:2 field runId: shard of run r2 in the plan of run r1/],
      [edit(0, (o) => (o.bytes = 31)), /:1 field bytes: says 31 bytes, its objects add up to 30/],
      [edit(0, (o) => (o.of = 3)), /:1 field of: the plan has 2 shards, this line says 3/],
      [edit(0, (o) => ((o.objects as { bytes: unknown }[])[0]!.bytes = -1)), /:1 field objects: .*bytes must be non-negative/],
      [lines[0] + "\n{not json\n", /:2: not a JSON object/],
      ["", /BAD_PLAN s3:\/\/b\/runs\/r1\/plan\.jsonl: the plan has no shard/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parsePlan(text, URI),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, "BAD_PLAN");
          assert.match(`BAD_PLAN ${(error as { location?: { file?: string; line?: number; field?: string } }).location?.file}${formatWhere(error)}: ${error.message}`, message);
          return true;
        },
      );
    }
  });
});

function formatWhere(error: Error): string {
  const { line, field } = (error as { location?: { line?: number; field?: string } }).location ?? {};
  return `${line ? `:${line}` : ""}${field ? ` field ${field}` : ""}`;
}
