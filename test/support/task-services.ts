/**
 * The AWS side of a deployed task, here: radosgw for S3 and the Data API emulator for Redshift,
 * started once for a suite (`before`) and stopped after it, and the task's environment pointed at
 * them as the infra sets it (task/src/config/task-environment.ts).
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { localAwsEnv } from "./aws-env.ts";
import { startRedshiftDataEmulator, type RedshiftDataEmulator } from "./redshift-data-emulator/index.ts";
import { s3Server, s3ServerStartTimeoutMs, s3TestClient, type S3TestEndpoint } from "./s3-server.ts";

export interface TaskServices {
  ep: S3TestEndpoint;
  client: S3Client;
  emulator: RedshiftDataEmulator;
}

/** S3 alone for the calling suite; the returned object is filled once its `before` has run. */
export function useS3(): Pick<TaskServices, "ep" | "client"> {
  const services = {} as TaskServices;
  before(async function () {
    this.timeout(s3ServerStartTimeoutMs);
    services.ep = await s3Server();
    services.client = s3TestClient(services.ep);
  });
  return services;
}

/** Both for the calling suite; the returned object is filled once its `before` hooks have run. */
export function useTaskServices(): TaskServices {
  const services = useS3() as TaskServices;
  before(async () => {
    services.emulator = await startRedshiftDataEmulator({ s3: services.client, workgroupName: "cti-wg" });
  });
  after(async () => services.emulator?.stop());
  return services;
}

/** The task's environment for a Redshift load of `table`, input and output under `bucket`'s `input/` and `runs/`, with `extra` on top. */
export function redshiftTaskEnv(services: TaskServices, bucket: string, table: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return localAwsEnv(services.ep, {
    AWS_ENDPOINT_URL_REDSHIFT_DATA: services.emulator.endpoint,
    CTI_INPUT: `s3://${bucket}/input/`,
    CTI_OUTPUT: `s3://${bucket}/runs/`,
    CTI_TABLE: table,
    CTI_REDSHIFT_WORKGROUP: "cti-wg",
    CTI_REDSHIFT_DATABASE: "dev",
    CTI_REDSHIFT_COPY_ROLE_ARN: "arn:aws:iam::123456789012:role/cti-etl-copy",
    ...extra,
  });
}
