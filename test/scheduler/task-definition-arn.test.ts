import assert from "node:assert/strict";
import fc from "fast-check";
import { familyArnPattern, familyArnPrefix, parseTaskDefinitionArn } from "../../scheduler/task-definition-arn.ts";

describe("task-definition-arn", () => {
  const arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/cti-etl-dev:12";

  it("parses the partition, region, account, family and revision", () => {
    assert.deepEqual(parseTaskDefinitionArn(arn), { partition: "aws", region: "us-east-1", accountId: "123456789012", family: "cti-etl-dev", revision: 12 });
    assert.equal(parseTaskDefinitionArn("arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/x:1").partition, "aws-cn");
  });

  it("refuses an ARN without a revision, or not a task definition", () => {
    assert.throws(() => parseTaskDefinitionArn("arn:aws:ecs:us-east-1:123456789012:task-definition/cti-etl-dev"), /not a task definition ARN with a revision/);
    assert.throws(() => parseTaskDefinitionArn("arn:aws:ecs:us-east-1:123456789012:cluster/cti-etl-dev"), /not a task definition ARN/);
  });

  it("covers every revision of the family and nothing else", () => {
    assert.equal(familyArnPrefix(arn), "arn:aws:ecs:us-east-1:123456789012:task-definition/cti-etl-dev:");
    assert.equal(familyArnPattern(arn), "arn:aws:ecs:us-east-1:123456789012:task-definition/cti-etl-dev:*");
  });

  it("gives every revision of a family the same prefix, and no other family's ARN starts with it", () => {
    const family = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
    fc.assert(
      fc.property(family, family, fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 1, max: 99_999 }), (a, b, r1, r2) => {
        const of = (f: string, r: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/${f}:${r}`;
        assert.equal(familyArnPrefix(of(a, r1)), familyArnPrefix(of(a, r2)));
        assert.equal(of(b, r2).startsWith(familyArnPrefix(of(a, r1))), a === b);
      }),
    );
  });
});
