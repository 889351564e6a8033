import assert from "node:assert/strict";
import { bucketLifecycleRules, objectsUnder, outputPrefix, s3Uri } from "../../infra/storage-layout.ts";

describe("storage-layout", () => {
  describe("bucketLifecycleRules", () => {
    const rules = bucketLifecycleRules({ outputPrefix: "runs/", stagingRetentionDays: 14, noncurrentVersionRetentionDays: 30 });
    const rule = (id: string) => rules.find((r) => r.id === id);

    it("expires staging (the output root) after the retention period", () => {
      assert.deepEqual(rule("expire-staging"), { id: "expire-staging", status: "Enabled", filter: { prefix: "runs/" }, expiration: { days: 14 } });
    });

    it("expires old versions across the bucket", () => {
      assert.deepEqual(rule("expire-noncurrent-versions")?.noncurrentVersionExpiration, { noncurrentDays: 30 });
      assert.deepEqual(rule("expire-noncurrent-versions")?.filter, { prefix: "" });
    });

    it("cleans up delete markers and abandoned multipart uploads", () => {
      assert.deepEqual(rule("remove-expired-delete-markers")?.expiration, { expiredObjectDeleteMarker: true });
      assert.deepEqual(rule("abort-incomplete-multipart-uploads")?.abortIncompleteMultipartUpload, { daysAfterInitiation: 1 });
    });

    it("never expires current input objects", () => {
      const expiringCurrent = rules.filter((r) => r.expiration?.days !== undefined);
      assert.deepEqual(expiringCurrent.map((r) => r.filter.prefix), ["runs/"]);
    });

    it("gives every rule a filter with exactly one predicate, as the AWS provider requires (an empty filter is warned about)", () => {
      // The provider's rule: one and only one of prefix, tag, and, objectSizeGreaterThan, objectSizeLessThan.
      const predicates = ["prefix", "tag", "and", "objectSizeGreaterThan", "objectSizeLessThan"];
      for (const r of rules) {
        const set = Object.entries(r.filter).filter(([key, value]) => predicates.includes(key) && value !== undefined);
        assert.equal(set.length, 1, `rule ${r.id} has filter ${JSON.stringify(r.filter)}`);
        assert.deepEqual(Object.keys(r.filter).filter((key) => !predicates.includes(key)), [], `rule ${r.id}: unknown filter field`);
      }
    });

    it("gives every rule a unique id and enables it", () => {
      assert.equal(new Set(rules.map((r) => r.id)).size, rules.length);
      assert.ok(rules.every((r) => r.status === "Enabled"));
    });
  });

  it("names the output root runs/", () => {
    assert.equal(outputPrefix, "runs/");
  });

  it("builds URIs and object ARNs under a prefix", () => {
    assert.equal(s3Uri("cti-data", "input/"), "s3://cti-data/input/");
    assert.equal(objectsUnder("arn:aws:s3:::cti-data", "runs/"), "arn:aws:s3:::cti-data/runs/*");
  });
});
