/**
 * Physical names of the resources that people type or read (cluster, task family, log group,
 * Redshift namespace and workgroup), derived from the project and stack so two stacks in one
 * account never collide.
 */

/** Names derived from one project/stack pair. */
export interface ResourceNames {
  /** `<project>-<stack>`, lower case, e.g. `cti-etl-dev`. Prefix of every other name. */
  readonly base: string;
  /** ECS cluster name. */
  readonly cluster: string;
  /** Task definition family (the name `aws ecs run-task --task-definition` takes). */
  readonly taskFamily: string;
  /** CloudWatch Logs group of the task, e.g. `/cti-etl/dev/task`. */
  readonly logGroup: string;
  /** Redshift Serverless namespace (3–64 chars, `[a-z0-9-]`). */
  readonly namespace: string;
  /** Redshift Serverless workgroup (3–64 chars, `[a-z0-9-]`). */
  readonly workgroup: string;
  /** Name of the one container in the task definition (used by `--overrides`). */
  readonly container: string;
}

/**
 * Derives {@link ResourceNames}. Stack names may contain characters Redshift and ECS refuse
 * (`_`, `.`, upper case); they become `-`, and the base is cut to 50 characters so suffixes fit
 * Redshift's 64-character limit.
 * @see https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateWorkgroup.html
 */
export function resourceNames(project: string, stack: string): ResourceNames {
  const base = `${project}-${stack}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 50)
    .replace(/-+$/, "");
  const stackPath = stack.toLowerCase().replace(/[^a-z0-9_.-]+/g, "-");
  return {
    base,
    cluster: base,
    taskFamily: base,
    logGroup: `/${project}/${stackPath}/task`,
    namespace: `${base}-ns`,
    workgroup: `${base}-wg`,
    container: "etl",
  };
}
