import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { copyRoleStatements } from "./iam/copy-role.ts";
import { renderPolicyDocument } from "./iam/policy-document.ts";
import { redshiftTrust } from "./iam/trust.ts";

/** Arguments of {@link Warehouse}. */
export interface WarehouseArgs {
  /** Namespace name, e.g. `cti-etl-dev-ns` (see naming.ts). */
  readonly namespaceName: string;
  /** Workgroup name, e.g. `cti-etl-dev-wg`. */
  readonly workgroupName: string;
  /** Database created in the namespace. Example: `cti`. */
  readonly database: string;
  /** Base capacity, RPUs: 4, or 8–512 in steps of 8. Example: 8. */
  readonly baseCapacity: number;
  /** Private subnets in three zones. */
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** The workgroup's security group (no ingress). */
  readonly securityGroupId: pulumi.Input<string>;
  /** ARN of the job's bucket. */
  readonly bucketArn: pulumi.Input<string>;
  /** Prefix the task stages parts under; the only thing COPY may read. Example: `runs/`. */
  readonly stagingPrefix: string;
}

/** Administrator user of the namespace; its password lives in Secrets Manager only. */
export const adminUsername = "cti_admin";

/**
 * Redshift Serverless: a namespace whose admin password Secrets Manager manages (never in
 * config or state), a private workgroup with enhanced VPC routing, and the role Redshift assumes
 * for COPY, allowed to read the staging prefix only.
 */
export class Warehouse extends pulumi.ComponentResource {
  /** Workgroup name (the Data API's `WorkgroupName`). */
  readonly workgroupName: pulumi.Output<string>;
  /** Workgroup ARN (the task role's Data API permissions are scoped to it). */
  readonly workgroupArn: pulumi.Output<string>;
  /** ARN of the role COPY uses (`IAM_ROLE '<arn>'`). */
  readonly copyRoleArn: pulumi.Output<string>;
  /** ARN of the Secrets Manager secret holding the admin password. */
  readonly adminSecretArn: pulumi.Output<string>;

  constructor(name: string, args: WarehouseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cti-etl:infra:Warehouse", name, {}, opts);
    const parent = { parent: this };

    const copyRole = createCopyRole(name, args, parent);
    const namespace = createNamespace(name, args, copyRole, parent);
    const workgroup = createWorkgroup(name, args, namespace, parent);

    this.workgroupName = workgroup.workgroupName;
    this.workgroupArn = workgroup.arn;
    this.copyRoleArn = copyRole.arn;
    this.adminSecretArn = namespace.adminPasswordSecretArn;
    this.registerOutputs({
      workgroupName: this.workgroupName,
      workgroupArn: this.workgroupArn,
      copyRoleArn: this.copyRoleArn,
      adminSecretArn: this.adminSecretArn,
    });
  }
}

function createCopyRole(name: string, args: WarehouseArgs, opts: pulumi.CustomResourceOptions): aws.iam.Role {
  const role = new aws.iam.Role(
    `${name}-copy-role`,
    { description: "Assumed by Redshift to COPY staged parts", assumeRolePolicy: renderPolicyDocument(redshiftTrust()) },
    opts,
  );
  new aws.iam.RolePolicy(
    `${name}-copy-policy`,
    {
      role: role.id,
      policy: pulumi
        .output(args.bucketArn)
        .apply((bucketArn) => renderPolicyDocument(copyRoleStatements({ bucketArn, stagingPrefix: args.stagingPrefix }))),
    },
    opts,
  );
  return role;
}

function createNamespace(name: string, args: WarehouseArgs, copyRole: aws.iam.Role, opts: pulumi.CustomResourceOptions) {
  return new aws.redshiftserverless.Namespace(
    `${name}-namespace`,
    {
      namespaceName: args.namespaceName,
      dbName: args.database,
      adminUsername,
      manageAdminPassword: true,
      iamRoles: [copyRole.arn],
    },
    opts,
  );
}

function createWorkgroup(
  name: string,
  args: WarehouseArgs,
  namespace: aws.redshiftserverless.Namespace,
  opts: pulumi.CustomResourceOptions,
) {
  return new aws.redshiftserverless.Workgroup(
    `${name}-workgroup`,
    {
      workgroupName: args.workgroupName,
      namespaceName: namespace.namespaceName,
      baseCapacity: args.baseCapacity,
      publiclyAccessible: false,
      enhancedVpcRouting: true,
      subnetIds: args.subnetIds,
      securityGroupIds: [args.securityGroupId],
      configParameters: [{ parameterKey: "require_ssl", parameterValue: "true" }],
    },
    opts,
  );
}
