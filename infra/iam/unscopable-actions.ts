/**
 * Actions AWS does not let a policy scope to a resource: the only valid `Resource` is `*`.
 * A statement may use `Resource: "*"` only when every action in it is listed here; the policy
 * pack enforces that, so an addition here is a reviewed decision with its doc link.
 */
export const unscopableActions: Readonly<Record<string, string>> = {
  // ECR: GetAuthorizationToken has no resource type (the token is registry-wide).
  "ecr:GetAuthorizationToken":
    "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html",
  // Redshift Data API: statement calls have no resource type; the service limits them to the
  // caller's own statements, and `redshift-data:statement-owner-iam-userid` narrows further.
  "redshift-data:DescribeStatement":
    "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonredshiftdataapi.html",
  "redshift-data:GetStatementResult":
    "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonredshiftdataapi.html",
  "redshift-data:CancelStatement":
    "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonredshiftdataapi.html",
};

/** True when AWS offers nothing narrower than `Resource: "*"` for `action`. */
export function isUnscopable(action: string): boolean {
  return Object.hasOwn(unscopableActions, action);
}
