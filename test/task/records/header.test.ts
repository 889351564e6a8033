import assert from "node:assert/strict";
import { EtlError } from "../../../task/src/errors.ts";
import { missingHeader, resolveHeader } from "../../../task/src/records/header.ts";

describe("resolveHeader", () => {
  it("finds Key and Data case-insensitively after trimming, in any order", () => {
    assert.deepEqual(resolveHeader([" DATA ", "key"], "f.csv", 1), { keyIndex: 1, dataIndex: 0, width: 2 });
  });

  it("allows extra columns and counts them in the width", () => {
    assert.deepEqual(resolveHeader(["id", "Key", "Data"], "f.csv", 1), { keyIndex: 1, dataIndex: 2, width: 3 });
  });

  it("stops with BAD_HEADER naming the file, line, what was expected and what was found", () => {
    assert.throws(
      () => resolveHeader(["Key", "Value"], "in/f.csv", 3),
      (e: unknown) => {
        assert.ok(e instanceof EtlError);
        assert.equal(e.code, "BAD_HEADER");
        assert.deepEqual(e.location, { file: "in/f.csv", line: 3, field: "Data" });
        assert.match(e.message, /missing `Data`/);
        assert.match(e.message, /expected columns Key, Data/);
        assert.match(e.message, /found "Key", "Value"/);
        return true;
      },
    );
  });

  it("reports an input with no header at all", () => {
    const e = missingHeader("empty.csv");
    assert.equal(e.code, "BAD_HEADER");
    assert.match(e.message, /input is empty/);
  });
});
