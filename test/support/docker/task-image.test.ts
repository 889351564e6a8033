import assert from "node:assert/strict";
import { extraCertificates } from "./task-image.ts";

const pem = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`;

describe("extraCertificates", () => {
  it("keeps only the bundle's certificates that the built-in roots lack, in bundle order", () => {
    const bundle = [pem("AAAA"), pem("BBBB"), pem("CCCC")].join("\n");
    assert.deepEqual(extraCertificates(bundle, [pem("BBBB")]), [pem("AAAA"), pem("CCCC")]);
  });

  it("compares certificates without regard to line breaks and indentation", () => {
    const bundle = `# a comment\n${pem("AA\nAA")}\n`;
    assert.deepEqual(extraCertificates(bundle, [pem("AAAA")]), []);
  });

  it("lists a certificate the bundle repeats once", () => {
    assert.deepEqual(extraCertificates(`${pem("AAAA")}\n${pem("AAAA")}`, []), [pem("AAAA")]);
  });

  it("finds nothing in text without certificates", () => {
    assert.deepEqual(extraCertificates("no certificates here", []), []);
  });
});
