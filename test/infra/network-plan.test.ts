import assert from "node:assert/strict";
import {
  gatewayEndpointServices,
  interfaceEndpointServices,
  securityGroupNames,
  securityGroupRules,
  subnetSpecs,
  vpcArgs,
} from "../../infra/network-plan.ts";

describe("network-plan", () => {
  describe("subnetSpecs", () => {
    it("has only private subnets without a NAT gateway", () => {
      assert.deepEqual(subnetSpecs("none").map((s) => s.type), ["Private"]);
    });

    it("adds a public subnet to hold a single NAT gateway", () => {
      assert.deepEqual(subnetSpecs("single").map((s) => s.type), ["Private", "Public"]);
    });
  });

  describe("vpcArgs", () => {
    const zones = ["us-east-1d", "us-east-1e", "us-east-1a"];

    it("spans the zones it is given by name, and only those (awsx refuses a zone count beside names)", () => {
      const args = vpcArgs("none", "us-east-1", zones);
      assert.deepEqual(args.availabilityZoneNames, zones);
      assert.ok(!("numberOfAvailabilityZones" in args));
    });

    it("maps the NAT choice to awsx's strategy", () => {
      assert.deepEqual(vpcArgs("none", "us-east-1", zones).natGateways, { strategy: "None" });
      assert.deepEqual(vpcArgs("single", "us-east-1", zones).natGateways, { strategy: "Single" });
    });

    it("always has the S3 gateway endpoint, routed by awsx", () => {
      for (const nat of ["none", "single"] as const) {
        const args = vpcArgs(nat, "eu-west-1", zones);
        assert.deepEqual(args.vpcEndpointSpecs, [{ serviceName: "com.amazonaws.eu-west-1.s3", vpcEndpointType: "Gateway" }]);
        assert.equal(args.vpcEndpointStrategy, "Auto");
      }
    });

    it("enables the DNS settings private endpoints need", () => {
      const args = vpcArgs("none", "us-east-1", zones);
      assert.equal(args.enableDnsHostnames, true);
      assert.equal(args.enableDnsSupport, true);
    });
  });

  describe("endpoint services", () => {
    it("gives the task an interface endpoint for each AWS API it calls when there is no NAT", () => {
      assert.deepEqual(interfaceEndpointServices("none", "us-east-1"), [
        "com.amazonaws.us-east-1.ecr.api",
        "com.amazonaws.us-east-1.ecr.dkr",
        "com.amazonaws.us-east-1.logs",
        "com.amazonaws.us-east-1.redshift-data",
        "com.amazonaws.us-east-1.sts",
      ]);
    });

    it("needs no interface endpoint behind a NAT gateway", () => {
      assert.deepEqual(interfaceEndpointServices("single", "us-east-1"), []);
    });

    it("uses the gateway endpoint for S3", () => {
      assert.deepEqual(gatewayEndpointServices("ap-southeast-2"), ["com.amazonaws.ap-southeast-2.s3"]);
    });
  });

  describe("securityGroupRules", () => {
    for (const nat of ["none", "single"] as const) {
      const rules = securityGroupRules(nat);

      it(`gives the task no ingress at all (${nat})`, () => {
        assert.deepEqual(rules.filter((r) => r.group === "task" && r.direction === "ingress"), []);
      });

      it(`allows only HTTPS, and ingress from anywhere never (${nat})`, () => {
        assert.ok(rules.every((r) => r.port === 443));
        assert.ok(!rules.some((r) => r.direction === "ingress" && r.peer.kind === "cidr"));
      });

      it(`gives Redshift no ingress and S3 as its only egress (${nat})`, () => {
        assert.deepEqual(
          rules.filter((r) => r.group === "warehouse").map((r) => [r.direction, r.peer]),
          [["egress", { kind: "s3PrefixList" }]],
        );
      });

      it(`references only groups that exist (${nat})`, () => {
        const groups = securityGroupNames(nat);
        for (const rule of rules) {
          assert.ok(groups.includes(rule.group));
          if (rule.peer.kind === "securityGroup") assert.ok(groups.includes(rule.peer.group));
        }
      });
    }

    it("keeps task egress to S3 and the endpoints when there is no NAT", () => {
      assert.deepEqual(
        securityGroupRules("none").filter((r) => r.group === "task").map((r) => r.peer),
        [{ kind: "s3PrefixList" }, { kind: "securityGroup", group: "endpoints" }],
      );
    });

    it("lets the endpoints accept HTTPS from the task only", () => {
      assert.deepEqual(
        securityGroupRules("none").filter((r) => r.group === "endpoints").map((r) => [r.direction, r.peer]),
        [["ingress", { kind: "securityGroup", group: "task" }]],
      );
    });

    it("sends task HTTPS anywhere through the NAT gateway when there is one", () => {
      assert.deepEqual(
        securityGroupRules("single").filter((r) => r.group === "task").map((r) => [r.direction, r.peer]),
        [["egress", { kind: "cidr", cidr: "0.0.0.0/0" }]],
      );
    });
  });
});
