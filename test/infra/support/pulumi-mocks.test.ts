import assert from "node:assert/strict";
import * as awsx from "@pulumi/awsx";
import { loadProgram, promiseOf } from "./pulumi-mocks.ts";

describe("pulumi-mocks", () => {
  before(() => loadProgram());

  describe("promiseOf", () => {
    it("resolves outputs and plain values", async () => {
      assert.equal(await promiseOf("plain"), "plain");
    });

    it("rejects an awsx output the fakes do not cover, naming it", async () => {
      const vpc = new awsx.ec2.Vpc("mocks-probe", { numberOfAvailabilityZones: 3 });
      assert.equal((await promiseOf(vpc.privateSubnetIds)).length, 3);
      await assert.rejects(promiseOf(vpc.routeTables, "routeTables"), /routeTables contains MISSING_FAKE_OUTPUT\(awsx:ec2:Vpc\.routeTables\)/);
    });
  });
});
