import assert from "node:assert/strict";
import fc from "fast-check";
import { canonicalInputsJson, inputFingerprint, ledgerInputsText } from "../../../task/src/load/input-fingerprint.ts";
import type { LoadInput } from "../../../task/src/load/warehouse.ts";

const a: LoadInput = { uri: "s3://in/a.csv", etag: '"e1"', sha256: "a".repeat(64), bytes: 10 };
const b: LoadInput = { uri: "s3://in/b.csv", sha256: "b".repeat(64), bytes: 20 };

describe("inputFingerprint", () => {
  it("is 64 lower-case hex digits and stable across calls", () => {
    const f = inputFingerprint([a, b]);
    assert.match(f, /^[0-9a-f]{64}$/);
    assert.equal(inputFingerprint([{ ...a }, { ...b }]), f);
  });

  it("pins the v1 canonical form (changing it would reload every earlier input)", () => {
    assert.equal(
      canonicalInputsJson([a]),
      `[{"uri":"s3://in/a.csv","sha256":"${"a".repeat(64)}","bytes":10}]`,
    );
    assert.equal(inputFingerprint([a]), "563f9d113f6d0b4382e44cd89a4429dd2ee3226dbf1e681f68368eea46ce315d");
  });

  it("ignores the ETag and the case of the hash", () => {
    assert.equal(inputFingerprint([{ ...a, etag: '"other"' }]), inputFingerprint([a]));
    assert.equal(inputFingerprint([{ ...a, etag: undefined }]), inputFingerprint([a]));
    assert.equal(inputFingerprint([{ ...a, sha256: "A".repeat(64) }]), inputFingerprint([a]));
  });

  it("is order-sensitive: the list is fingerprinted as given", () => {
    assert.notEqual(inputFingerprint([a, b]), inputFingerprint([b, a]));
  });

  it("changes when any uri, hash or size changes, or an input is added", () => {
    const base = inputFingerprint([a, b]);
    assert.notEqual(inputFingerprint([{ ...a, uri: "s3://in/a2.csv" }, b]), base);
    assert.notEqual(inputFingerprint([{ ...a, sha256: "c".repeat(64) }, b]), base);
    assert.notEqual(inputFingerprint([{ ...a, bytes: 11 }, b]), base);
    assert.notEqual(inputFingerprint([a, b, b]), base);
    assert.notEqual(inputFingerprint([]), base);
  });

  it("never maps two different identity lists to one canonical form", () => {
    const input = fc.record({ uri: fc.string(), sha256: fc.stringMatching(/^[0-9a-f]{64}$/), bytes: fc.nat() });
    fc.assert(
      fc.property(fc.array(input, { maxLength: 4 }), fc.array(input, { maxLength: 4 }), (x, y) => {
        const same = JSON.stringify(x) === JSON.stringify(y);
        assert.equal(canonicalInputsJson(x) === canonicalInputsJson(y), same);
      }),
    );
  });
});

describe("ledgerInputsText", () => {
  it("lists every input with its ETag unquoted", () => {
    assert.deepEqual(JSON.parse(ledgerInputsText([a, b], 10_000)), [
      { uri: "s3://in/a.csv", etag: "e1", sha256: "a".repeat(64), bytes: 10 },
      { uri: "s3://in/b.csv", sha256: "b".repeat(64), bytes: 20 },
    ]);
  });

  it("gives the count instead when the list is longer than allowed", () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ ...b, uri: `s3://in/${i}.csv` }));
    const text = ledgerInputsText(many, 60_000);
    assert.ok(Buffer.byteLength(text) <= 60_000);
    assert.equal(JSON.parse(text).count, 1000);
  });
});
