import assert from "node:assert/strict";
import fc from "fast-check";
import {
  createRecordRules,
  createRecordSchema,
  firstBrokenRule,
  normalise,
  reasons,
  RECORD_RULES,
  rejectionReason,
  validateRecord,
  type RawRecord,
  type RecordFacts,
} from "../../../task/src/records/record-schema.ts";

const schema = createRecordSchema();
const raw = (key: string | undefined, data: string | undefined, extra: Partial<RawRecord> = {}): RawRecord => ({
  key,
  data,
  extraFields: 0,
  invalidUtf8: "",
  unterminatedQuote: false,
  ...extra,
});
const check = (r: RawRecord, s = schema) => validateRecord(s, r);

describe("record schema", () => {
  it("lowercases: (EXAMPLE, Some Data) → (example, some data)", () => {
    assert.deepEqual(check(raw("EXAMPLE", "Some Data")), { ok: true, record: { key: "example", data: "some data" } });
  });

  it("trims then lowercases: ('  example  ', '  some data  ') → (example, some data)", () => {
    assert.deepEqual(check(raw("  example  ", "  some data  ")), { ok: true, record: { key: "example", data: "some data" } });
  });

  it("rejects an empty or missing Key with `Field `Key` is required`", () => {
    assert.deepEqual(check(raw("", "Some Data")), { ok: false, reason: "Field `Key` is required" });
    assert.deepEqual(check(raw(undefined, "Some Data")), { ok: false, reason: "Field `Key` is required" });
  });

  it("rejects an empty or missing Data with `Field `Data` is required`", () => {
    assert.deepEqual(check(raw("Example", "")), { ok: false, reason: "Field `Data` is required" });
    assert.deepEqual(check(raw("Example", undefined)), { ok: false, reason: "Field `Data` is required" });
  });

  it("rejects a record with both fields empty as `Record is empty`", () => {
    assert.deepEqual(check(raw("", "")), { ok: false, reason: "Record is empty" });
    assert.deepEqual(check(raw(undefined, undefined)), { ok: false, reason: "Record is empty" });
  });

  it("rejects a row whose Key is only whitespace", () => {
    assert.deepEqual(check(raw(" \t\u00a0\u2003", "x")), { ok: false, reason: "Field `Key` is required" });
  });

  it("uses full Unicode trim and lowercase", () => {
    assert.deepEqual(check(raw("\u3000ÄÖÜ ÉCOLE\u2003", "ΔΣ ЖЮ")), { ok: true, record: { key: "äöü école", data: "δς жю" } });
  });

  it("rejects a value over the byte limit, counting UTF-8 bytes of the normalised value", () => {
    const small = createRecordSchema({ maxFieldBytes: 4 });
    assert.deepEqual(check(raw("abcd", "  éé  "), small), { ok: true, record: { key: "abcd", data: "éé" } });
    assert.deepEqual(check(raw("abcde", "x"), small), { ok: false, reason: reasons.tooLong("Key", 4) });
    assert.deepEqual(check(raw("k", "ééa"), small), { ok: false, reason: "Field `Data` is longer than 4 bytes" });
  });

  it("defaults the byte limit to Redshift's 65535", () => {
    assert.equal(check(raw("k", "x".repeat(65535))).ok, true);
    assert.deepEqual(check(raw("k", "x".repeat(65536))), { ok: false, reason: "Field `Data` is longer than 65535 bytes" });
    assert.deepEqual(check(raw("k", "é".repeat(32768))), { ok: false, reason: "Field `Data` is longer than 65535 bytes" });
  });

  it("rejects a row with more fields than the header", () => {
    assert.deepEqual(check(raw("a", "b", { extraFields: 1 })), { ok: false, reason: "Row has more fields than the header" });
  });

  it("rejects a field that is not valid UTF-8, naming it", () => {
    assert.deepEqual(check(raw("a", "b", { invalidUtf8: "Data" })), { ok: false, reason: "Field `Data` is not valid UTF-8" });
    assert.deepEqual(check(raw("a", "b", { invalidUtf8: "Key" })), { ok: false, reason: "Field `Key` is not valid UTF-8" });
  });

  it("rejects an unterminated quote", () => {
    assert.deepEqual(check(raw("a", "b", { unterminatedQuote: true })), { ok: false, reason: reasons.unterminatedQuote });
  });

  it("gives exactly one reason, structural problems before empty fields", () => {
    assert.deepEqual(check(raw("", "", { extraFields: 2, invalidUtf8: "Key" })), { ok: false, reason: reasons.tooManyFields });
    assert.deepEqual(check(raw("", "", { invalidUtf8: "Data" })), { ok: false, reason: "Field `Data` is not valid UTF-8" });
    assert.deepEqual(check(raw("", "y".repeat(70000))), { ok: false, reason: "Field `Key` is required" });
  });

  it("refuses input of the wrong shape", () => {
    const out = schema({ key: 1, data: "x" } as unknown as RawRecord);
    assert.ok(out instanceof Error || Array.isArray(out), "expected arktype errors");
  });

  it("accepts exactly the records whose normalised fields are both non-empty (property)", () => {
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: undefined }), fc.option(fc.string(), { nil: undefined }), (k, d) => {
        const result = check(raw(k, d));
        const nk = normalise(k);
        const nd = normalise(d);
        assert.equal(result.ok, nk !== "" && nd !== "");
        if (result.ok) assert.deepEqual(result.record, { key: nk, data: nd });
      }),
      { numRuns: 500 },
    );
  });
});

describe("record rules", () => {
  const factsOf = (r: RawRecord) => ({
    unterminatedQuote: r.unterminatedQuote,
    extraFields: r.extraFields,
    invalidUtf8: r.invalidUtf8,
    keyBytes: Buffer.byteLength(normalise(r.key), "utf8"),
    dataBytes: Buffer.byteLength(normalise(r.data), "utf8"),
  });
  const anyRaw = fc.record({
    key: fc.option(fc.oneof(fc.string(), fc.constantFrom(" ", "ab", "é".repeat(3))), { nil: undefined }),
    data: fc.option(fc.oneof(fc.string(), fc.constantFrom("\t", "xyz", "東".repeat(2))), { nil: undefined }),
    extraFields: fc.constantFrom(0, 0, 0, 1, 3),
    invalidUtf8: fc.constantFrom("" as const, "" as const, "Key" as const, "Data" as const),
    unterminatedQuote: fc.boolean(),
  });

  it("allow exactly the records the record schema accepts (property)", () => {
    for (const maxFieldBytes of [4, 65535]) {
      const s = createRecordSchema({ maxFieldBytes });
      const rules = createRecordRules({ maxFieldBytes });
      fc.assert(
        fc.property(anyRaw, (r) => {
          assert.equal(rules.allows(factsOf(r)), check(r, s).ok);
        }),
        { numRuns: 2000 },
      );
    }
  });
});

describe("RECORD_RULES (the one rule table)", () => {
  const max = 6;
  /** Every combination of the conditions the rules judge, with field lengths at each edge. */
  function* everyCombination(): Generator<RecordFacts> {
    for (const unterminatedQuote of [false, true])
      for (const extraFields of [0, 2])
        for (const invalidUtf8 of ["", "Key", "Data"] as const)
          for (const keyBytes of [0, 1, max, max + 1])
            for (const dataBytes of [0, 1, max, max + 1]) yield { unterminatedQuote, extraFields, invalidUtf8, keyBytes, dataBytes };
  }
  /** The reasons in the order the job has always given them (the spec the table must keep). */
  function expectedReason(f: RecordFacts): string | undefined {
    if (f.unterminatedQuote) return reasons.unterminatedQuote;
    if (f.extraFields > 0) return reasons.tooManyFields;
    if (f.invalidUtf8 !== "") return reasons.invalidUtf8(f.invalidUtf8);
    if (f.keyBytes === 0) return f.dataBytes === 0 ? reasons.empty : reasons.required("Key");
    if (f.dataBytes === 0) return reasons.required("Data");
    if (f.keyBytes > max) return reasons.tooLong("Key", max);
    if (f.dataBytes > max) return reasons.tooLong("Data", max);
    return undefined;
  }
  /** A raw record whose normalised fields have these lengths (in UTF-8 bytes: "é" is 2). */
  const valueOf = (bytes: number) => (bytes % 2 === 0 ? "É".repeat(bytes / 2) : "a" + "É".repeat((bytes - 1) / 2));

  it("the record schema's morph, the rules type and the engine's reasons agree on every combination of conditions", () => {
    const schema = createRecordSchema({ maxFieldBytes: max });
    const rules = createRecordRules({ maxFieldBytes: max });
    let combinations = 0;
    for (const facts of everyCombination()) {
      combinations++;
      const expected = expectedReason(facts);
      const what = JSON.stringify(facts);
      assert.equal(rejectionReason(facts, max), expected, what);
      assert.equal(rules.allows(facts), expected === undefined, what);
      const r = validateRecord(schema, {
        key: ` ${valueOf(facts.keyBytes)} `,
        data: valueOf(facts.dataBytes),
        extraFields: facts.extraFields,
        invalidUtf8: facts.invalidUtf8,
        unterminatedQuote: facts.unterminatedQuote,
      });
      assert.deepEqual(r.ok ? undefined : r.reason, expected, what);
    }
    assert.equal(combinations, 2 * 2 * 3 * 4 * 4);
  });

  it("gives each rule a reason of its own, and a record breaking none no reason", () => {
    const all = RECORD_RULES.map((r) => r.reason(max));
    assert.equal(new Set(all).size, all.length);
    assert.equal(firstBrokenRule({ unterminatedQuote: false, extraFields: 0, invalidUtf8: "", keyBytes: 1, dataBytes: max }, max), -1);
  });
});
