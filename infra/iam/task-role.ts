import { taskIamActions } from "../../task/src/iam-actions.ts";
import { leaseKey } from "../../task/src/lease/lease-key.ts";
import { objectsUnder } from "../storage-layout.ts";
import type { PolicyStatement } from "./policy-document.ts";

/** What the task role's permissions are scoped to. Plain ARNs and prefixes. */
export interface TaskRoleScope {
  /** ARN of the job's bucket. */
  readonly bucketArn: string;
  /** Input key prefix, e.g. `input/`: read only. */
  readonly inputPrefix: string;
  /** Output root prefix, e.g. `runs/`: read and write. */
  readonly outputPrefix: string;
  /** ARN of the Redshift Serverless workgroup the Data API runs statements on. */
  readonly workgroupArn: string;
}

/**
 * The task role's statements: exactly the actions the task's adapters call
 * (`taskIamActions`), each on the narrowest resource AWS offers.
 */
export function taskRoleStatements(scope: TaskRoleScope): PolicyStatement[] {
  const { s3Input, s3Output, s3Lease, redshiftData, redshiftServerless } = taskIamActions;
  return [
    {
      sid: "ListInput",
      actions: s3Input.bucket,
      resources: [scope.bucketArn],
      conditions: [{ test: "StringLike", variable: "s3:prefix", values: [`${scope.inputPrefix}*`] }],
    },
    { sid: "ReadInput", actions: s3Input.objects, resources: [objectsUnder(scope.bucketArn, scope.inputPrefix)] },
    {
      sid: "ListOutput",
      actions: s3Output.bucket,
      resources: [scope.bucketArn],
      conditions: [{ test: "StringLike", variable: "s3:prefix", values: [`${scope.outputPrefix}*`] }],
    },
    { sid: "WriteOutput", actions: s3Output.objects, resources: [objectsUnder(scope.bucketArn, scope.outputPrefix)] },
    // Delete only here: the lease object, never a run's output.
    { sid: "HoldRunLease", actions: s3Lease.objects, resources: [`${scope.bucketArn}/${leaseKey(scope.outputPrefix)}`] },
    { sid: "RunStatementsOnWorkgroup", actions: redshiftData.workgroup, resources: [scope.workgroupArn] },
    {
      // No resource type exists for these (see unscopable-actions.ts); the condition keeps the
      // role to statements it submitted itself.
      sid: "FollowOwnStatements",
      actions: redshiftData.statements,
      resources: ["*"],
      conditions: [
        { test: "StringEquals", variable: "redshift-data:statement-owner-iam-userid", values: ["${aws:userid}"] },
      ],
    },
    { sid: "GetWorkgroupCredentials", actions: redshiftServerless.workgroup, resources: [scope.workgroupArn] },
  ];
}
