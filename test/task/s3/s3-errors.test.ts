import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { classifyS3Error } from "../../../task/src/s3/s3-errors.ts";

const sdk = (name: string, status?: number, message = name) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe("classifyS3Error", () => {
  const cases: [unknown, "input" | "output", string, RegExp][] = [
    [sdk("NoSuchBucket", 404), "input", "INPUT_NOT_FOUND", /no such bucket \(NoSuchBucket 404\)/],
    [sdk("NoSuchKey", 404), "input", "INPUT_NOT_FOUND", /no such key/],
    [sdk("NotFound", 404), "input", "INPUT_NOT_FOUND", /not found/],
    [sdk("AccessDenied", 403), "input", "INPUT_UNREADABLE", /access denied \(AccessDenied 403\)/],
    [sdk("SignatureDoesNotMatch", 403), "input", "INPUT_UNREADABLE", /credentials were refused/],
    [sdk("InvalidAccessKeyId", 403), "output", "OUTPUT_REJECTED", /credentials were refused/],
    [sdk("CredentialsProviderError", undefined, "Could not load credentials from any providers"), "input", "INPUT_UNREADABLE", /credentials/],
    [sdk("Forbidden", 403), "input", "INPUT_UNREADABLE", /access denied, or the credentials/],
    [sdk("PreconditionFailed", 412), "input", "INPUT_CHANGED", /changed while it was being read/],
    [sdk("PreconditionFailed", 412), "output", "OUTPUT_REJECTED", /already published/],
    [sdk("InternalError", 500), "input", "INTERNAL", /S3 request failed/],
  ];
  for (const [error, side, code, message] of cases) {
    it(`maps ${(error as Error).name} on the ${side} to ${code}`, () => {
      const e = classifyS3Error(error, "s3://b/k", side);
      assert.ok(e instanceof EtlError);
      assert.equal(e.code, code);
      assert.match(e.message, message);
      assert.equal(e.location.file, "s3://b/k");
    });
  }

  it("passes an EtlError through unchanged", () => {
    const original = new EtlError("INPUT_CHANGED", "x");
    assert.equal(classifyS3Error(original, "s3://b/k", "input"), original);
  });
});
