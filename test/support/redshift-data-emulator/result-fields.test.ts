import assert from "node:assert/strict";
import { columnMetadata, resultSize, toField } from "./result-fields.ts";

describe("toField", () => {
  it("types integers as longValue, floats as doubleValue and booleans as booleanValue", () => {
    assert.deepEqual(toField("-7", "int2"), { longValue: -7 });
    assert.deepEqual(toField("42", "int4"), { longValue: 42 });
    assert.deepEqual(toField("9007199254740991", "int8"), { longValue: 9007199254740991 });
    assert.deepEqual(toField("1.5", "float8"), { doubleValue: 1.5 });
    assert.deepEqual(toField("t", "bool"), { booleanValue: true });
    assert.deepEqual(toField("f", "bool"), { booleanValue: false });
  });

  it("types DECIMAL, dates, timestamps and text as stringValue, as Redshift does", () => {
    assert.deepEqual(toField("12.30", "numeric"), { stringValue: "12.30" });
    assert.deepEqual(toField("2024-02-29", "date"), { stringValue: "2024-02-29" });
    assert.deepEqual(toField("2024-02-29 10:00:00", "timestamp"), { stringValue: "2024-02-29 10:00:00" });
    assert.deepEqual(toField("x", "varchar"), { stringValue: "x" });
  });

  it("gives NULL of any type as isNull", () => {
    for (const type of ["int4", "bool", "varchar", "numeric"]) assert.deepEqual(toField(null, type), { isNull: true });
  });

  it("keeps a non-finite float as text, which JSON cannot carry as a number", () => {
    assert.deepEqual(toField("NaN", "float8"), { stringValue: "NaN" });
  });
});

describe("columnMetadata", () => {
  it("names the column and its Postgres type, signed for numbers, case-sensitive for text", () => {
    assert.deepEqual(
      [columnMetadata("n", "int8"), columnMetadata("s", "varchar")].map((c) => [c.name, c.label, c.typeName, c.isSigned, c.isCaseSensitive]),
      [
        ["n", "n", "int8", true, false],
        ["s", "s", "varchar", false, true],
      ],
    );
  });
});

describe("resultSize", () => {
  it("counts UTF-8 bytes of the values", () => {
    assert.equal(resultSize([["é", null], ["ab", "c"]]), 5);
  });
});
