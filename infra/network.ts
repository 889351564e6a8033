import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { chooseRedshiftZones, redshiftServerlessZoneIds, type ZoneListing } from "./availability-zones.ts";
import {
  interfaceEndpointServices,
  type NatChoice,
  type Peer,
  type SecurityGroupName,
  securityGroupNames,
  securityGroupRules,
  vpcArgs,
} from "./network-plan.ts";

/** Arguments of {@link Network}. */
export interface NetworkArgs {
  /** `none`: VPC endpoints, no NAT gateway (default in config). `single`: one NAT gateway. */
  readonly natGateway: NatChoice;
  /** AWS region, e.g. `us-east-1`: names the endpoint services. */
  readonly region: string;
  /**
   * The region's zones as `aws.getAvailabilityZones` lists them for this account (names and
   * IDs); the VPC spans three that Redshift Serverless supports (see availability-zones.ts).
   */
  readonly zones: ZoneListing;
}

/**
 * The VPC the job runs in: private subnets in three zones Redshift Serverless supports, the S3 gateway endpoint, interface
 * endpoints when there is no NAT gateway, and the security groups of the task, the endpoints and
 * Redshift. See `network-plan.ts` for every decision.
 */
export class Network extends pulumi.ComponentResource {
  /** VPC id. */
  readonly vpcId: pulumi.Output<string>;
  /** Private subnet ids, one per zone: the task and the Redshift workgroup are placed here. */
  readonly privateSubnetIds: pulumi.Output<string[]>;
  /** Security group of the task's network interface. */
  readonly taskSecurityGroupId: pulumi.Output<string>;
  /** Security group of the Redshift workgroup. */
  readonly warehouseSecurityGroupId: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cti-etl:infra:Network", name, {}, opts);
    const parent = { parent: this };

    const vpc = createVpc(name, args, parent);
    const groups = createSecurityGroups(name, args.natGateway, vpc.vpcId, parent);
    const s3PrefixList = aws.ec2.getPrefixListOutput({ name: `com.amazonaws.${args.region}.s3` }, parent);
    createSecurityGroupRules(name, args.natGateway, groups, s3PrefixList.id, parent);
    createInterfaceEndpoints(name, args, vpc, groups, parent);

    this.vpcId = vpc.vpcId;
    this.privateSubnetIds = vpc.privateSubnetIds;
    this.taskSecurityGroupId = groupOf(groups, "task").id;
    this.warehouseSecurityGroupId = groupOf(groups, "warehouse").id;
    this.registerOutputs({
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      taskSecurityGroupId: this.taskSecurityGroupId,
      warehouseSecurityGroupId: this.warehouseSecurityGroupId,
    });
  }
}

type Groups = Partial<Record<SecurityGroupName, aws.ec2.SecurityGroup>>;

function createVpc(name: string, args: NetworkArgs, opts: pulumi.ComponentResourceOptions): awsx.ec2.Vpc {
  const supported = redshiftServerlessZoneIds[args.region];
  if (supported === undefined) {
    pulumi.log.warn(
      `no list of the Availability Zone IDs Redshift Serverless supports in ${args.region}: every zone is taken as supported; add the region to infra/availability-zones.ts`,
      opts.parent,
    );
  }
  const zones = chooseRedshiftZones(args.region, args.zones, supported);
  return new awsx.ec2.Vpc(`${name}-vpc`, { ...vpcArgs(args.natGateway, args.region, zones.names), tags: { Name: `${name}-vpc` } }, opts);
}

/** Groups start with no rules at all (Pulumi's AWS provider removes AWS's default egress rule). */
function createSecurityGroups(name: string, nat: NatChoice, vpcId: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): Groups {
  const descriptions: Record<SecurityGroupName, string> = {
    task: "cti-etl task: no ingress, HTTPS egress only",
    endpoints: "cti-etl interface VPC endpoints: HTTPS from the task only",
    warehouse: "cti-etl Redshift Serverless: no ingress, HTTPS to S3 only",
  };
  return Object.fromEntries(
    securityGroupNames(nat).map((group) => [
      group,
      new aws.ec2.SecurityGroup(
        `${name}-${group}-sg`,
        { vpcId, description: descriptions[group], revokeRulesOnDelete: true, tags: { Name: `${name}-${group}` } },
        opts,
      ),
    ]),
  );
}

function createSecurityGroupRules(
  name: string,
  nat: NatChoice,
  groups: Groups,
  s3PrefixListId: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): void {
  for (const rule of securityGroupRules(nat)) {
    const ruleName = `${name}-${rule.group}-${rule.direction}-${peerName(rule.peer)}`;
    const common = {
      securityGroupId: groupOf(groups, rule.group).id,
      ipProtocol: "tcp",
      fromPort: rule.port,
      toPort: rule.port,
      description: rule.description,
      ...peerArgs(rule.peer, groups, s3PrefixListId),
    };
    if (rule.direction === "ingress") new aws.vpc.SecurityGroupIngressRule(ruleName, common, opts);
    else new aws.vpc.SecurityGroupEgressRule(ruleName, common, opts);
  }
}

function createInterfaceEndpoints(
  name: string,
  args: NetworkArgs,
  vpc: awsx.ec2.Vpc,
  groups: Groups,
  opts: pulumi.CustomResourceOptions,
): void {
  for (const serviceName of interfaceEndpointServices(args.natGateway, args.region)) {
    const service = serviceName.slice(`com.amazonaws.${args.region}.`.length).replace(/\./g, "-");
    new aws.ec2.VpcEndpoint(
      `${name}-${service}-endpoint`,
      {
        vpcId: vpc.vpcId,
        serviceName,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: vpc.privateSubnetIds,
        securityGroupIds: [groupOf(groups, "endpoints").id],
        tags: { Name: `${name}-${service}` },
      },
      opts,
    );
  }
}

function peerName(peer: Peer): string {
  switch (peer.kind) {
    case "s3PrefixList":
      return "s3";
    case "securityGroup":
      return peer.group;
    case "cidr":
      return "anywhere";
  }
}

function peerArgs(peer: Peer, groups: Groups, s3PrefixListId: pulumi.Input<string>) {
  switch (peer.kind) {
    case "s3PrefixList":
      return { prefixListId: s3PrefixListId };
    case "securityGroup":
      return { referencedSecurityGroupId: groupOf(groups, peer.group).id };
    case "cidr":
      return { cidrIpv4: peer.cidr };
  }
}

function groupOf(groups: Groups, group: SecurityGroupName): aws.ec2.SecurityGroup {
  const found = groups[group];
  if (!found) throw new Error(`security group "${group}" is used by a rule but not created`);
  return found;
}
