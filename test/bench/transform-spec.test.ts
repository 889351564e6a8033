import assert from "node:assert/strict";
import { MAX_FIELD_BYTES, REASONS, TRIM_CHARACTERS } from "../../bench/peers/transform-spec.ts";
import { reasons, REDSHIFT_MAX_VARCHAR_BYTES } from "../../task/src/records/record-schema.ts";

describe("bench transform spec (what the peers do)", () => {
  it("uses the job's reasons and field limit", () => {
    assert.equal(MAX_FIELD_BYTES, REDSHIFT_MAX_VARCHAR_BYTES);
    assert.deepEqual(REASONS, {
      tooManyFields: reasons.tooManyFields,
      empty: reasons.empty,
      keyRequired: reasons.required("Key"),
      dataRequired: reasons.required("Data"),
      keyTooLong: reasons.tooLong("Key", MAX_FIELD_BYTES),
      dataTooLong: reasons.tooLong("Data", MAX_FIELD_BYTES),
    });
  });

  it("trims exactly the characters String.prototype.trim removes", () => {
    const trimmed: string[] = [];
    for (let c = 0; c < 0x10000; c++) if (String.fromCharCode(c).trim() === "") trimmed.push(String.fromCharCode(c));
    assert.deepEqual([...TRIM_CHARACTERS].sort(), trimmed.sort());
  });
});
