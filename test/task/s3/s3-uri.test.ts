import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { formatS3Uri, isPrefix, isS3Uri, joinKey, parseS3Uri } from "../../../task/src/s3/s3-uri.ts";

describe("S3 URIs", () => {
  it("parses objects, prefixes and whole buckets", () => {
    assert.deepEqual(parseS3Uri("s3://my-bucket/a/b.csv"), { bucket: "my-bucket", key: "a/b.csv" });
    assert.deepEqual(parseS3Uri("s3://my-bucket/in/"), { bucket: "my-bucket", key: "in/" });
    assert.deepEqual(parseS3Uri("s3://my-bucket"), { bucket: "my-bucket", key: "" });
    assert.ok(isPrefix(parseS3Uri("s3://my-bucket/in/")));
    assert.ok(isPrefix(parseS3Uri("s3://my-bucket")));
    assert.ok(!isPrefix(parseS3Uri("s3://my-bucket/in")));
  });

  it("refuses malformed URIs with a usage error naming them", () => {
    for (const bad of ["s3://", "s3://Upper/x", "s3://a/x", "s3:/bucket/x"]) {
      assert.throws(() => parseS3Uri(bad), (e: unknown) => e instanceof EtlError && e.code === "USAGE" && e.message.includes(JSON.stringify(bad)));
    }
  });

  it("formats and joins keys", () => {
    assert.equal(formatS3Uri({ bucket: "b", key: "p/" }), "s3://b/p/");
    assert.equal(joinKey("p/", "x"), "p/x");
    assert.equal(joinKey("p", "x"), "p/x");
    assert.equal(joinKey("", "x"), "x");
    assert.ok(isS3Uri("s3://b/k") && !isS3Uri("/tmp/s3://"));
  });
});
