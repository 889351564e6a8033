/**
 * Task definition ARNs (pure). A schedule targets one revision
 * (`…:task-definition/<family>:<revision>`); permissions and the failure rule cover every
 * revision of the family, so a deploy that registers a new revision never outruns them.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-account-settings.html#ecs-resource-ids
 */

/** The parts of a revisioned task definition ARN. */
export interface TaskDefinitionArn {
  /** `aws`, `aws-cn`, `aws-us-gov`. */
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** Task definition family, e.g. `cti-etl-dev`. */
  readonly family: string;
  /** Revision number, from 1. */
  readonly revision: number;
}

const pattern = /^arn:(aws[a-z-]*):ecs:([a-z0-9-]+):(\d{12}):task-definition\/([A-Za-z0-9_-]{1,255}):([1-9]\d*)$/;

/**
 * Parses `arn:<partition>:ecs:<region>:<account>:task-definition/<family>:<revision>`.
 * @throws Error naming the ARN when it is not a revisioned task definition ARN.
 */
export function parseTaskDefinitionArn(arn: string): TaskDefinitionArn {
  const match = pattern.exec(arn);
  if (!match) throw new Error(`not a task definition ARN with a revision: ${JSON.stringify(arn)}`);
  const [, partition, region, accountId, family, revision] = match as unknown as [string, string, string, string, string, string];
  return { partition, region, accountId, family, revision: Number(revision) };
}

/**
 * Every revision of the ARN's family starts with this: `…:task-definition/<family>:`. The
 * trailing `:` keeps `cti-etl-dev` from covering `cti-etl-dev-other`.
 */
export function familyArnPrefix(arn: string): string {
  return arn.slice(0, arn.length - String(parseTaskDefinitionArn(arn).revision).length);
}

/** An IAM resource pattern for every revision of the ARN's family: `…:task-definition/<family>:*`. */
export function familyArnPattern(arn: string): string {
  return `${familyArnPrefix(arn)}*`;
}
