import assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { redshiftServerlessZoneIds } from "../../infra/availability-zones.ts";
import { Network } from "../../infra/network.ts";
import { loadProgram, oneResource, promiseOf, type RecordedResource, resourcesOfType, settle } from "./support/pulumi-mocks.ts";

const types = {
  vpc: "awsx:ec2:Vpc",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
};

/** Security group id of the recorded group `<prefix>-<group>-sg`. */
function groupId(prefix: string, group: string): unknown {
  return oneResource(types.securityGroup, `${prefix}-${group}-sg`).state.id;
}

/** Rules of one group of the network component called `network`. */
function rulesOf(type: string, network: string, group: string): RecordedResource[] {
  return resourcesOfType(type, `${network}-`).filter((rule) => rule.inputs.securityGroupId === groupId(network, group));
}

describe("Network", () => {
  let outputs: Record<string, unknown>;
  before(async () => ({ outputs } = await loadProgram()));

  describe("without a NAT gateway (the dev stack)", () => {
    it("builds an awsx VPC with private subnets in three zones and no NAT gateway", () => {
      const vpc = oneResource(types.vpc, "cti-etl-network-");
      assert.equal((vpc.inputs.availabilityZoneNames as string[]).length, 3);
      assert.deepEqual(vpc.inputs.natGateways, { strategy: "None" });
      assert.deepEqual(vpc.inputs.subnetSpecs, [{ type: "Private", name: "private", cidrMask: 20 }]);
      assert.equal((outputs.subnetIds as string[]).length, 3);
    });

    it("spans three zones whose IDs Redshift Serverless supports, found by ID from the account's zone listing", async () => {
      const vpc = oneResource(types.vpc, "cti-etl-network-");
      // The mocks list us-east-1a..f as use1-az4, az6, az3, az1, az2, az5: the first three names hold use1-az3.
      const listing = (await aws.getAvailabilityZones({})) as { names: string[]; zoneIds: string[] };
      const ids = (vpc.inputs.availabilityZoneNames as string[]).map((name) => listing.zoneIds[listing.names.indexOf(name)]);
      assert.deepEqual(ids, ["use1-az1", "use1-az2", "use1-az4"]);
      for (const id of ids) assert.ok(redshiftServerlessZoneIds["us-east-1"]!.includes(id!));
      assert.equal(vpc.inputs.numberOfAvailabilityZones, undefined);
    });

    it("routes S3 through a gateway endpoint", () => {
      const vpc = oneResource(types.vpc, "cti-etl-network-");
      assert.deepEqual(vpc.inputs.vpcEndpointSpecs, [{ serviceName: "com.amazonaws.us-east-1.s3", vpcEndpointType: "Gateway" }]);
      assert.equal(vpc.inputs.vpcEndpointStrategy, "Auto");
    });

    it("creates a private-DNS interface endpoint in the private subnets for every AWS API the task calls", () => {
      const endpoints = resourcesOfType(types.endpoint, "cti-etl-network-");
      assert.deepEqual(endpoints.map((e) => e.inputs.serviceName).sort(), [
        "com.amazonaws.us-east-1.ecr.api",
        "com.amazonaws.us-east-1.ecr.dkr",
        "com.amazonaws.us-east-1.logs",
        "com.amazonaws.us-east-1.redshift-data",
        "com.amazonaws.us-east-1.sts",
      ]);
      for (const endpoint of endpoints) {
        assert.equal(endpoint.inputs.vpcEndpointType, "Interface");
        assert.equal(endpoint.inputs.privateDnsEnabled, true);
        assert.deepEqual(endpoint.inputs.subnetIds, outputs.subnetIds);
        assert.deepEqual(endpoint.inputs.securityGroupIds, [groupId("cti-etl-network", "endpoints")]);
      }
    });

    it("gives the task security group no ingress and HTTPS egress to S3 and the endpoints only", () => {
      assert.deepEqual(rulesOf(types.ingress, "cti-etl-network", "task"), []);
      assert.equal(outputs.securityGroupId, groupId("cti-etl-network", "task"));
      const egress = rulesOf(types.egress, "cti-etl-network", "task");
      assert.deepEqual(
        egress.map((r) => [r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort, r.inputs.prefixListId ?? r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4]),
        [
          ["tcp", 443, 443, "pl-63a5400a"],
          ["tcp", 443, 443, groupId("cti-etl-network", "endpoints")],
        ],
      );
    });

    it("lets only the task reach the endpoints", () => {
      const ingress = rulesOf(types.ingress, "cti-etl-network", "endpoints");
      assert.deepEqual(ingress.map((r) => [r.inputs.fromPort, r.inputs.referencedSecurityGroupId]), [[443, groupId("cti-etl-network", "task")]]);
    });

    it("starts every group without inline rules, so only the rules above exist", () => {
      for (const group of resourcesOfType(types.securityGroup, "cti-etl-network-")) {
        assert.equal(group.inputs.ingress, undefined);
        assert.equal(group.inputs.egress, undefined);
      }
    });

    it("never opens ingress to 0.0.0.0/0", () => {
      for (const rule of resourcesOfType(types.ingress)) assert.notEqual(rule.inputs.cidrIpv4, "0.0.0.0/0");
    });
  });

  describe("with a single NAT gateway", () => {
    let network: Network;
    before(async () => {
      const zones = { names: ["eu-west-1a", "eu-west-1b", "eu-west-1c"], zoneIds: ["euw1-az2", "euw1-az3", "euw1-az1"] };
      network = new Network("nat-network", { natGateway: "single", region: "eu-west-1", zones });
      await promiseOf(network.taskSecurityGroupId);
      await settle();
    });

    it("adds a public subnet for one NAT gateway", () => {
      const vpc = oneResource(types.vpc, "nat-network-");
      assert.deepEqual(vpc.inputs.natGateways, { strategy: "Single" });
      assert.deepEqual((vpc.inputs.subnetSpecs as { type: string }[]).map((s) => s.type), ["Private", "Public"]);
    });

    it("creates no interface endpoint and no endpoint security group", () => {
      assert.deepEqual(resourcesOfType(types.endpoint, "nat-network-"), []);
      assert.deepEqual(resourcesOfType(types.securityGroup, "nat-network-endpoints"), []);
    });

    it("lets the task out on HTTPS only, through the NAT gateway", () => {
      const egress = rulesOf(types.egress, "nat-network", "task");
      assert.deepEqual(egress.map((r) => [r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4]), [[443, 443, "0.0.0.0/0"]]);
      assert.deepEqual(rulesOf(types.ingress, "nat-network", "task"), []);
    });

    it("still exposes three private subnets", async () => {
      assert.equal((await promiseOf(network.privateSubnetIds)).length, 3);
    });
  });
});
