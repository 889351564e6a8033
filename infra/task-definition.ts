import type { redshiftTaskEnvironment } from "../task/src/config/task-environment.ts";
import { s3Uri } from "./storage-layout.ts";

/**
 * The container of the Fargate task (pure): its environment, derived from the task's own
 * environment schema, and its container definition.
 */

/**
 * User the container runs as: distroless's `nonroot` (65532). `task/Dockerfile` sets the same;
 * a test keeps them equal, and setting it here too keeps the task non-root even if the image's
 * USER changes.
 */
export const containerUser = "65532:65532";

/** The one writable path: a task volume on Fargate's ephemeral storage (the root is read-only). */
export const scratchMount = { volume: "scratch", containerPath: "/tmp" } as const;

/** Prefix of the task's log streams: `<prefix>/<container>/<task-id>`. */
export const logStreamPrefix = "task";

/** Seconds ECS waits after SIGTERM before SIGKILL; 120 is Fargate's maximum. */
export const stopTimeoutSeconds = 120;

type TaskEnvironment = typeof redshiftTaskEnvironment.infer;

/** Keys of the task environment that are required (no `?` in the schema). */
export type RequiredTaskEnvironmentKey = {
  [K in keyof TaskEnvironment]-?: object extends Pick<TaskEnvironment, K> ? never : K;
}[keyof TaskEnvironment];

/** The environment a deployed task is given: exactly the schema's required keys. */
export type RequiredTaskEnvironment = { readonly [K in RequiredTaskEnvironmentKey]: string };

/** What the environment is built from. */
export interface TaskEnvironmentArgs {
  /** Bucket name. */
  readonly bucket: string;
  /** Input prefix, e.g. `input/`. */
  readonly inputPrefix: string;
  /** Output root prefix, e.g. `runs/`. */
  readonly outputPrefix: string;
  /** Target table, e.g. `public.cti_records`. */
  readonly table: string;
  /** Redshift Serverless workgroup name. */
  readonly workgroup: string;
  /** Database name. */
  readonly database: string;
  /** ARN of the COPY role. */
  readonly copyRoleArn: string;
}

/** Builds the task's environment. The type makes a missing or extra key a compile error. */
export function taskEnvironment(args: TaskEnvironmentArgs): RequiredTaskEnvironment {
  return {
    CTI_INPUT: s3Uri(args.bucket, args.inputPrefix),
    CTI_OUTPUT: s3Uri(args.bucket, args.outputPrefix),
    CTI_TABLE: args.table,
    CTI_REDSHIFT_WORKGROUP: args.workgroup,
    CTI_REDSHIFT_DATABASE: args.database,
    CTI_REDSHIFT_COPY_ROLE_ARN: args.copyRoleArn,
  };
}

/** What the container definition is built from. */
export interface ContainerArgs {
  /** Container name. Example: `etl`. */
  readonly name: string;
  /** Image reference, by digest. */
  readonly image: string;
  /** Environment variables. */
  readonly environment: Readonly<Record<string, string>>;
  /** Variables ECS fills from Secrets Manager when the task starts: name → secret ARN. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Log group name. */
  readonly logGroup: string;
  /** Region of the log group. */
  readonly region: string;
}

/**
 * The task's single container: the job as entry point, non-root, read-only root filesystem with
 * `/tmp` on a scratch volume, logs to CloudWatch through awslogs.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
 */
export function containerDefinitions(args: ContainerArgs): Record<string, unknown>[] {
  return [
    {
      name: args.name,
      image: args.image,
      essential: true,
      user: containerUser,
      readonlyRootFilesystem: true,
      mountPoints: [{ sourceVolume: scratchMount.volume, containerPath: scratchMount.containerPath, readOnly: false }],
      environment: Object.entries(args.environment)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, value]) => ({ name, value })),
      // The values never appear in the task definition, its revisions or the stack's state.
      ...(args.secrets && Object.keys(args.secrets).length > 0
        ? {
            secrets: Object.entries(args.secrets)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([name, valueFrom]) => ({ name, valueFrom })),
          }
        : {}),
      // Node as PID 1 does not reap children or forward signals; ECS's init does.
      linuxParameters: { initProcessEnabled: true },
      stopTimeout: stopTimeoutSeconds,
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": args.logGroup,
          "awslogs-region": args.region,
          "awslogs-stream-prefix": logStreamPrefix,
        },
      },
    },
  ];
}
