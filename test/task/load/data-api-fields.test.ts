import assert from "node:assert/strict";
import { fieldValue } from "../../../task/src/load/data-api-fields.ts";

describe("fieldValue", () => {
  it("gives the one value member of a Field, and null for isNull", () => {
    assert.equal(fieldValue({ stringValue: "a" }), "a");
    assert.equal(fieldValue({ stringValue: "" }), "");
    assert.equal(fieldValue({ longValue: 42 }), 42);
    assert.equal(fieldValue({ longValue: 0 }), 0);
    assert.equal(fieldValue({ doubleValue: 1.5 }), 1.5);
    assert.equal(fieldValue({ booleanValue: false }), false);
    assert.deepEqual(fieldValue({ blobValue: new Uint8Array([1, 2]) }), new Uint8Array([1, 2]));
    assert.equal(fieldValue({ isNull: true }), null);
  });
});
