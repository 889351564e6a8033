import type { PolicyStatement } from "./policy-document.ts";

/** What the execution role's permissions are scoped to. */
export interface ExecutionRoleScope {
  /** ARN of the ECR repository the task image is pulled from. */
  readonly repositoryArn: string;
  /** ARN of the task's log group (with or without a trailing `:*`). */
  readonly logGroupArn: string;
  /** Secrets Manager secrets ECS injects into the container (complete ARNs); none by default. */
  readonly secretArns?: readonly string[];
}

/** ECR actions needed to pull an image from one repository. */
export const imagePullActions = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

/** CloudWatch Logs actions the awslogs driver calls. */
export const logWriteActions = ["logs:CreateLogStream", "logs:PutLogEvents"];

/**
 * The execution role (used by ECS, not by the job): pull this repository's image, write to
 * this log group, and read the container's secrets (those ARNs only), nothing else. Secrets
 * encrypted with AWS's own key need no KMS grant.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
 */
export function executionRoleStatements(scope: ExecutionRoleScope): PolicyStatement[] {
  const logGroup = scope.logGroupArn.replace(/:\*$/, "");
  return [
    // Registry-wide by design: AWS offers no resource for this action (unscopable-actions.ts).
    { sid: "GetRegistryToken", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
    { sid: "PullTaskImage", actions: imagePullActions, resources: [scope.repositoryArn] },
    { sid: "WriteTaskLogs", actions: logWriteActions, resources: [logGroup, `${logGroup}:log-stream:*`] },
    ...(scope.secretArns && scope.secretArns.length > 0
      ? [{ sid: "ReadContainerSecrets", actions: ["secretsmanager:GetSecretValue"], resources: [...new Set(scope.secretArns)].sort() }]
      : []),
  ];
}
