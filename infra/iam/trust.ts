import type { PolicyStatement } from "./policy-document.ts";

/**
 * Trust policy of the task role: ECS tasks of this account and region only, which guards
 * against the confused-deputy problem.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
 */
export function ecsTaskTrust(args: { readonly accountId: string; readonly region: string; readonly partition?: string }): PolicyStatement[] {
  return [
    {
      sid: "EcsTasksOfThisAccount",
      actions: ["sts:AssumeRole"],
      principal: { type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] },
      conditions: [
        { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${args.partition ?? "aws"}:ecs:${args.region}:${args.accountId}:*`] },
        { test: "StringEquals", variable: "aws:SourceAccount", values: [args.accountId] },
      ],
    },
  ];
}

/**
 * Trust policy of the execution role: the ECS agent on Fargate assumes it to pull the image and
 * ship logs.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
 */
export function ecsExecutionTrust(): PolicyStatement[] {
  return [
    {
      sid: "EcsTasks",
      actions: ["sts:AssumeRole"],
      principal: { type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] },
    },
  ];
}

/**
 * Trust policy of the COPY role. Redshift Serverless needs both service principals.
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-security-other-services.html
 */
export function redshiftTrust(): PolicyStatement[] {
  return [
    {
      sid: "RedshiftServerless",
      actions: ["sts:AssumeRole"],
      principal: { type: "Service", identifiers: ["redshift-serverless.amazonaws.com", "redshift.amazonaws.com"] },
    },
  ];
}
