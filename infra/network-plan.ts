/**
 * The network as data (pure): subnet layout, which AWS services get VPC endpoints, and every
 * security group rule. `network.ts` renders it.
 */

/** How private subnets reach AWS APIs: VPC endpoints only, or one NAT gateway. */
export type NatChoice = "none" | "single";

/** VPC address range. */
export const vpcCidr = "10.0.0.0/16";

/** One subnet per zone, in awsx `subnetSpecs` form. */
export interface SubnetSpec {
  readonly type: "Private" | "Public";
  readonly name: string;
  /** Prefix length, e.g. 20 for 4096 addresses. */
  readonly cidrMask: number;
}

/**
 * Private subnets in every zone (the task and Redshift live there). A public subnet is added
 * only to hold the NAT gateway when one is chosen.
 */
export function subnetSpecs(nat: NatChoice): SubnetSpec[] {
  const privateSubnets: SubnetSpec = { type: "Private", name: "private", cidrMask: 20 };
  return nat === "single" ? [privateSubnets, { type: "Public", name: "public", cidrMask: 24 }] : [privateSubnets];
}

/** AWS service the task (or ECS on its behalf) calls, by endpoint suffix. */
export const taskServiceEndpoints = [
  "ecr.api", // image manifest (execution role)
  "ecr.dkr", // image pull (layers then come from S3)
  "logs", // awslogs driver
  "redshift-data", // the warehouse adapter
  "sts", // SDK credential and identity calls
] as const;

/** Gateway endpoints: S3, always (free; also carries ECR layers and Redshift's COPY traffic). */
export function gatewayEndpointServices(region: string): string[] {
  return [`com.amazonaws.${region}.s3`];
}

/** Interface endpoints: everything else the task calls, but only when there is no NAT gateway. */
export function interfaceEndpointServices(nat: NatChoice, region: string): string[] {
  return nat === "none" ? taskServiceEndpoints.map((service) => `com.amazonaws.${region}.${service}`) : [];
}

/**
 * The plain arguments of the `awsx.ec2.Vpc`. `zoneNames`: the zones to span, by name, as
 * `chooseRedshiftZones` (availability-zones.ts) picked them by ID. awsx takes them only as plain
 * values (its `availabilityZoneNames` is not an input) and refuses `numberOfAvailabilityZones`
 * beside them; left to itself it would take the region's first three zone names.
 */
export function vpcArgs(nat: NatChoice, region: string, zoneNames: readonly string[]) {
  return {
    cidrBlock: vpcCidr,
    availabilityZoneNames: [...zoneNames],
    subnetStrategy: "Auto" as const,
    subnetSpecs: subnetSpecs(nat),
    natGateways: { strategy: nat === "single" ? ("Single" as const) : ("None" as const) },
    // Interface endpoints with private DNS need both.
    enableDnsHostnames: true,
    enableDnsSupport: true,
    // "Auto" fills the gateway endpoint's route tables from the subnets this VPC creates.
    vpcEndpointStrategy: "Auto" as const,
    vpcEndpointSpecs: gatewayEndpointServices(region).map((serviceName) => ({ serviceName, vpcEndpointType: "Gateway" })),
  };
}

/** Security groups of the stack. */
export type SecurityGroupName = "task" | "endpoints" | "warehouse";

/** Where a rule's traffic comes from or goes to. */
export type Peer =
  | { readonly kind: "s3PrefixList" }
  | { readonly kind: "securityGroup"; readonly group: SecurityGroupName }
  | { readonly kind: "cidr"; readonly cidr: string };

/** One security group rule. Everything is HTTPS. */
export interface SecurityGroupRule {
  readonly group: SecurityGroupName;
  readonly direction: "ingress" | "egress";
  readonly port: 443;
  readonly peer: Peer;
  readonly description: string;
}

/**
 * Every rule of every group. The task has no ingress and reaches only HTTPS: S3 and the
 * endpoints, or anything through the NAT gateway. The endpoints accept HTTPS from the task
 * only. Redshift accepts nothing (the Data API needs no inbound rule) and reaches S3 for COPY
 * (enhanced VPC routing keeps that traffic in the VPC).
 */
export function securityGroupRules(nat: NatChoice): SecurityGroupRule[] {
  const https = 443 as const;
  const taskRules: SecurityGroupRule[] =
    nat === "none"
      ? [
          { group: "task", direction: "egress", port: https, peer: { kind: "s3PrefixList" }, description: "S3 through the gateway endpoint" },
          { group: "task", direction: "egress", port: https, peer: { kind: "securityGroup", group: "endpoints" }, description: "AWS APIs through interface endpoints" },
          { group: "endpoints", direction: "ingress", port: https, peer: { kind: "securityGroup", group: "task" }, description: "HTTPS from the task" },
        ]
      : [{ group: "task", direction: "egress", port: https, peer: { kind: "cidr", cidr: "0.0.0.0/0" }, description: "AWS APIs through the NAT gateway" }];
  return [
    ...taskRules,
    { group: "warehouse", direction: "egress", port: https, peer: { kind: "s3PrefixList" }, description: "COPY from S3 through the gateway endpoint" },
  ];
}

/** The groups a NAT choice needs (no endpoint group without endpoints). */
export function securityGroupNames(nat: NatChoice): SecurityGroupName[] {
  return nat === "none" ? ["task", "endpoints", "warehouse"] : ["task", "warehouse"];
}
