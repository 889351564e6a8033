import assert from "node:assert/strict";
import fc from "fast-check";
import { chooseRedshiftZones, redshiftServerlessZoneIds, redshiftZoneCount, type ZoneListing } from "../../infra/availability-zones.ts";

/** us-east-1 as one account might see it: names map to IDs in no particular order. */
const account: ZoneListing = {
  names: ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"],
  zoneIds: ["use1-az4", "use1-az6", "use1-az3", "use1-az1", "use1-az2", "use1-az5"],
};
const supported = redshiftServerlessZoneIds["us-east-1"];

describe("chooseRedshiftZones", () => {
  it("chooses by zone ID, not by name: three supported IDs, lowest first, with the names this account gives them", () => {
    assert.deepEqual(chooseRedshiftZones("us-east-1", account, supported), {
      names: ["us-east-1d", "us-east-1e", "us-east-1a"],
      zoneIds: ["use1-az1", "use1-az2", "use1-az4"],
    });
  });

  it("never takes a zone Redshift Serverless does not support, even when it is among the first names", () => {
    const zones = chooseRedshiftZones("us-east-1", account, supported);
    assert.ok(!zones.zoneIds.includes("use1-az3"));
    assert.ok(!zones.names.includes("us-east-1c"));
  });

  it("chooses the same physical zones whatever names and order an account has", () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...account.zoneIds], { minLength: 6, maxLength: 6 }), (ids) => {
        const listing = { names: ids.map((_, i) => `us-east-1${"abcdef"[i]}`), zoneIds: ids };
        const zones = chooseRedshiftZones("us-east-1", listing, supported);
        assert.deepEqual(zones.zoneIds, ["use1-az1", "use1-az2", "use1-az4"]);
        zones.names.forEach((name, i) => assert.equal(ids[listing.names.indexOf(name)], zones.zoneIds[i]));
      }),
    );
  });

  it("orders zone IDs by number (az10 after az2)", () => {
    const listing = { names: ["r-1a", "r-1b", "r-1c", "r-1d"], zoneIds: ["r1-az10", "r1-az2", "r1-az3", "r1-az1"] };
    assert.deepEqual(chooseRedshiftZones("r-1", listing, undefined).zoneIds, ["r1-az1", "r1-az2", "r1-az3"]);
  });

  it("takes every zone as supported in a region without a list", () => {
    const listing = { names: ["eu-west-1a", "eu-west-1b", "eu-west-1c"], zoneIds: ["euw1-az3", "euw1-az1", "euw1-az2"] };
    assert.deepEqual(chooseRedshiftZones("eu-west-1", listing, redshiftServerlessZoneIds["eu-west-1"]).names, ["eu-west-1b", "eu-west-1c", "eu-west-1a"]);
  });

  it("fails, naming the zones and the supported IDs, when fewer than three supported zones exist", () => {
    const listing = { names: ["us-east-1a", "us-east-1b", "us-east-1c"], zoneIds: ["use1-az4", "use1-az3", "use1-az1"] };
    assert.throws(
      () => chooseRedshiftZones("us-east-1", listing, supported),
      (error: Error) =>
        /needs subnets in 3 Availability Zones it supports, but region us-east-1 offers this account only 2/.test(error.message) &&
        error.message.includes("us-east-1b (use1-az3)") &&
        error.message.includes("supports use1-az1, use1-az2, use1-az4, use1-az5, use1-az6"),
    );
    assert.throws(() => chooseRedshiftZones("us-west-1", { names: ["us-west-1a", "us-west-1c"], zoneIds: ["usw1-az1", "usw1-az3"] }, undefined), /only 2/);
  });

  it("refuses a listing whose names and IDs do not pair up", () => {
    assert.throws(() => chooseRedshiftZones("us-east-1", { names: ["us-east-1a"], zoneIds: [] }, supported), /1 names but 0 zone IDs/);
  });
});

describe("redshiftServerlessZoneIds", () => {
  it("lists, per region, at least three IDs of that region's form (<prefix>-az<n>)", () => {
    for (const [region, ids] of Object.entries(redshiftServerlessZoneIds)) {
      assert.ok(ids.length >= redshiftZoneCount, region);
      const [area, direction, number] = region.split("-");
      for (const id of ids) assert.match(id, new RegExp(`^${area}${direction!.charAt(0)}[a-z]?${number}-az\\d+$`), `${region}: ${id}`);
      assert.equal(new Set(ids).size, ids.length);
    }
  });
});
