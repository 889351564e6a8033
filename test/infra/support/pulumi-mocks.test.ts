import assert from "node:assert/strict";
import * as awsx from "@pulumi/awsx";
import * as aws from "@pulumi/aws";
import { fakeState, loadProgram, promiseOf, resourcesOfType, sandboxPrefix, settle } from "./pulumi-mocks.ts";

describe("pulumi-mocks", () => {
  before(() => loadProgram());

  describe("fakeState", () => {
    it("refuses an awsx component it has no fakes for", () => {
      assert.throws(() => fakeState("awsx:ecs:FargateService", "svc", {}, false), /no fake outputs for remote component awsx:ecs:FargateService/);
    });

    it("gives every output an awsx class declares either a fake or a poison marker", () => {
      const state = fakeState("awsx:ec2:Vpc", "probe", { numberOfAvailabilityZones: 3, subnetSpecs: [{ type: "Private" }] }, false);
      for (const output of ["vpcId", "privateSubnetIds", "publicSubnetIds", "isolatedSubnetIds", "subnetLayout"]) {
        assert.doesNotMatch(JSON.stringify(state[output]), /MISSING/, output);
      }
      for (const output of ["vpc", "subnets", "routeTables", "natGateways", "eips", "internetGateway", "vpcEndpoints"]) {
        assert.equal(state[output], `MISSING_FAKE_OUTPUT(awsx:ec2:Vpc.${output})`);
      }
    });

    it("derives the image digest from the repository and tag", () => {
      const state = fakeState("awsx:ecr:Image", "img", { repositoryUrl: "1.dkr.ecr.r.amazonaws.com/x", imageTag: "t" }, false);
      assert.match(String(state.imageUri), /^1\.dkr\.ecr\.r\.amazonaws\.com\/x@sha256:[0-9a-f]{64}$/);
    });
  });

  describe("task definition revisions", () => {
    const register = (image: string) =>
      fakeState("aws:ecs/taskDefinition:TaskDefinition", "td", { family: "mocks-probe-family", containerDefinitions: JSON.stringify([{ image }]) }, true);

    it("registers new content as the family's next revision, and keeps the revision of content seen before", () => {
      assert.equal(register("repo@sha256:aaaa").arn, "arn:aws:ecs:us-east-1:123456789012:task-definition/mocks-probe-family:1");
      assert.equal(register("repo@sha256:bbbb").revision, 2);
      assert.equal(register("repo@sha256:aaaa").revision, 1);
    });
  });

  describe("resourcesOfType", () => {
    it("leaves sandbox resources out unless the prefix asks for them", async () => {
      const topic = new aws.sns.Topic(`${sandboxPrefix}mocks-topic`, {});
      await promiseOf(topic.arn);
      await settle();
      assert.deepEqual(resourcesOfType("aws:sns/topic:Topic", `${sandboxPrefix}mocks`).map((r) => r.name), [`${sandboxPrefix}mocks-topic`]);
      assert.ok(!resourcesOfType("aws:sns/topic:Topic").some((r) => r.name.startsWith(sandboxPrefix)));
      assert.ok(resourcesOfType("aws:sns/topic:Topic").length > 0, "the program's own topic is still seen");
    });
  });

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
