import assert from "node:assert/strict";
import fc from "fast-check";
import { EtlError } from "../../../task/src/errors.ts";
import { REDACTED, isSecretKey, redact, redactText, urlOrigin } from "../../../task/src/observability/redact.ts";

describe("redact", () => {
  it("masks the value of every secret-looking key, at any depth", () => {
    const out = redact({
      password: "hunter2",
      nested: { routing_key: "R0123456789abcdef0123456789abcdef", routingKey: "abc", apiKey: "k", Authorization: "Bearer x" },
      list: [{ clientSecret: "s", sessionToken: "t" }],
      rows: 3,
    });
    assert.deepEqual(out, {
      password: REDACTED,
      nested: { routing_key: REDACTED, routingKey: REDACTED, apiKey: REDACTED, Authorization: REDACTED },
      list: [{ clientSecret: REDACTED, sessionToken: REDACTED }],
      rows: 3,
    });
  });

  it("keeps ordinary keys and values as they are", () => {
    const value = { runId: "r1", taskArn: "arn:aws:ecs:us-east-1:123456789012:task/c/abc", counts: { rowsRead: 10, rejectedByReason: { "Record is empty": 1 } } };
    assert.deepEqual(redact(value), value);
  });

  it("turns errors into plain objects with their code and location, and redacts their message", () => {
    const error = new EtlError("INPUT_UNREADABLE", "cannot read postgres://etl:pw@db/cti", { file: "in.csv", line: 3 });
    const out = redact({ error }) as { error: Record<string, unknown> };
    assert.equal(out.error.name, "EtlError");
    assert.equal(out.error.code, "INPUT_UNREADABLE");
    assert.equal(out.error.message, `cannot read postgres://${REDACTED}@db/cti`);
    assert.deepEqual(out.error.location, { file: "in.csv", line: 3 });
    assert.equal(typeof out.error.stack, "string");
  });

  it("survives cycles, bigints, dates and non-finite numbers", () => {
    const cyclic: Record<string, unknown> = { n: 1n, at: new Date(0), nan: Number.NaN };
    cyclic.self = cyclic;
    assert.deepEqual(redact(cyclic), { n: "1", at: "1970-01-01T00:00:00.000Z", nan: "NaN", self: "[Circular]" });
  });

  it("replaces every secret-keyed value, whatever it is (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom("password", "routing_key", "X-Api-Key", "secretAccessKey", "token"), fc.oneof(fc.string(), fc.integer(), fc.object()), (key, secret) => {
        const out = redact({ outer: { [key]: secret } }) as { outer: Record<string, unknown> };
        assert.equal(out.outer[key], REDACTED);
      }),
    );
  });
});

describe("redactText", () => {
  it("masks the user-info of URLs", () => {
    assert.equal(redactText("connect to postgres://etl:s3cret@db.internal:5432/cti now"), `connect to postgres://${REDACTED}@db.internal:5432/cti now`);
    assert.equal(redactText("https://user@example.com/x"), `https://${REDACTED}@example.com/x`);
  });

  it("masks secret query parameters, such as a presigned URL's signature, and keeps the others", () => {
    const url = "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIAX%2F1&X-Amz-Signature=abcd&X-Amz-Security-Token=tok&part=2";
    assert.equal(
      redactText(url),
      `https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4&X-Amz-Credential=${REDACTED}&X-Amz-Signature=${REDACTED}&X-Amz-Security-Token=${REDACTED}&part=2`,
    );
  });

  it("masks bearer credentials and AWS access key ids", () => {
    assert.equal(redactText("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc"), `Authorization: Bearer ${REDACTED}`);
    assert.equal(redactText("key AKIAIOSFODNN7EXAMPLE used"), `key AKIA${REDACTED} used`);
  });

  it("leaves text without secrets unchanged", () => {
    for (const text of ["s3://bucket/input/2026/11/26.csv", "row 3: Field `Key` is required", "a@b.example", "https://events.pagerduty.com/v2/enqueue"]) {
      assert.equal(redactText(text), text);
    }
  });
});

describe("isSecretKey", () => {
  it("names the keys whose values are secrets", () => {
    for (const key of ["password", "PGPASSWORD", "routing_key", "authorization", "AWS_SECRET_ACCESS_KEY", "apiKey", "cookie"]) assert.ok(isSecretKey(key), key);
    for (const key of ["runId", "taskArn", "rowsRead", "keyColumn", "job"]) assert.ok(!isSecretKey(key), key);
  });
});

describe("urlOrigin", () => {
  it("keeps only the scheme, host and port of a URL that may carry a secret in its path", () => {
    assert.equal(urlOrigin("https://hc-ping.com/4f0c9a52-0000-4000-8000-000000000000"), "https://hc-ping.com");
    assert.equal(urlOrigin("https://hooks.slack.com/services/T000/B000/XXXX"), "https://hooks.slack.com");
    assert.equal(urlOrigin("not a url"), "(invalid URL)");
  });
});
