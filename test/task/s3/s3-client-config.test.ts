import assert from "node:assert/strict";
import { s3ClientConfig } from "../../../task/src/s3/s3-client-config.ts";

describe("s3ClientConfig", () => {
  it("keeps AWS defaults (virtual-hosted, checksums when supported) without an endpoint override", () => {
    const c = s3ClientConfig({ region: "eu-west-1" });
    assert.equal(c.region, "eu-west-1");
    assert.equal(c.endpoint, undefined);
    assert.equal(c.forcePathStyle, undefined);
    assert.equal(c.requestChecksumCalculation, undefined);
  });

  it("uses path-style and WHEN_REQUIRED checksums when the endpoint is overridden", () => {
    const c = s3ClientConfig({ endpoint: "http://127.0.0.1:9000" });
    assert.equal(c.endpoint, "http://127.0.0.1:9000");
    assert.equal(c.forcePathStyle, true);
    assert.equal(c.requestChecksumCalculation, "WHEN_REQUIRED");
    assert.equal(c.responseChecksumValidation, "WHEN_REQUIRED");
  });

  it("retries in the SDK's standard mode, 5 attempts unless told otherwise", () => {
    assert.equal(s3ClientConfig({}).retryMode, "standard");
    assert.equal(s3ClientConfig({}).maxAttempts, 5);
    assert.equal(s3ClientConfig({ maxAttempts: 2 }).maxAttempts, 2);
  });

  it("never carries credentials: they come from the default provider chain", () => {
    assert.equal("credentials" in s3ClientConfig({ endpoint: "http://x" }), false);
  });
});
