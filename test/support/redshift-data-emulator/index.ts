/**
 * A local Amazon Redshift Data API for tests (never shipped): an HTTP server speaking the
 * Data API's JSON 1.1 protocol, running the SQL on PGlite (in-process Postgres), with
 * Redshift's COPY from S3 emulated and fault hooks for the product's failure paths.
 *
 * Point the product's `RedshiftDataClient` at it with the client's `endpoint` option, or with
 * the SDK's standard override `AWS_ENDPOINT_URL_REDSHIFT_DATA=<emulator.endpoint>`; any static
 * credentials and region do (signatures are not checked).
 *
 * @example
 * const emulator = await startRedshiftDataEmulator({ s3: inMemoryObjectSource({ "s3://b/k.csv": "1,a\n" }) });
 * const client = new RedshiftDataClient({ endpoint: emulator.endpoint, region: "us-east-1",
 *   credentials: { accessKeyId: "test", secretAccessKey: "test" } });
 * // ... and in an after() hook:
 * await emulator.stop();
 */
import { PGlite, type ParserOptions } from "@electric-sql/pglite";
import type { EmulatorFaults } from "./faults.ts";
import { objectSourceFromS3Client, type S3ObjectSource, type S3Sender } from "./object-source.ts";
import type { RunnerContext } from "./pglite-runner.ts";
import { installRedshiftShims } from "./redshift-shims.ts";
import { startDataApiServer } from "./server.ts";
import { StatementRegistry, type StatementLog } from "./statements.ts";

export type { EmulatorFaults, RejectedRequest } from "./faults.ts";
export { inMemoryObjectSource, objectSourceFromS3Client, type S3ObjectSource, type S3Sender } from "./object-source.ts";
export type { StatementLog, StatementSnapshot } from "./statements.ts";

export interface RedshiftDataEmulatorOptions {
  /**
   * Where `COPY ... FROM 's3://...'` reads objects: an `S3Client` (e.g. one pointed at the
   * local S3 server), a function returning one (called at the first COPY, so the S3 server
   * may start later), or any {@link S3ObjectSource} such as `inMemoryObjectSource({...})`.
   * Default: none, and a COPY fails saying so.
   */
  s3?: S3Sender | (() => S3Sender) | S3ObjectSource;
  /** A PGlite to run the SQL on. Default: a new in-memory one, closed by `stop()`. */
  db?: PGlite;
  /**
   * DescribeStatement calls that show each of SUBMITTED, PICKED and STARTED before the next
   * status is shown, however fast the SQL ran; 0 shows the actual status at once. Default 1,
   * so every statement takes at least 4 polls. Example: 3 for a slower-looking warehouse.
   */
  pollsPerStatus?: number;
  /**
   * Milliseconds a statement spends PICKED before it starts, and STARTED after its SQL ran
   * before it ends; the queue waits meanwhile. Default 0. Example: 50 to exercise a poller's
   * timing for real.
   */
  statusDelayMs?: number;
  /** Rows per GetStatementResult page (then `NextToken`). Default 1000. */
  resultPageRows?: number;
  /** When set, requests naming another `WorkgroupName` fail with ValidationException. Default: any accepted. */
  workgroupName?: string;
  /** When set, requests naming another `ClusterIdentifier` fail with ValidationException. Default: any accepted. */
  clusterIdentifier?: string;
  /** Fault hooks to start with; change them later through `emulator.faults`. Default: none. */
  faults?: EmulatorFaults;
  /** TCP port on 127.0.0.1. Default 0: a free port. */
  port?: number;
}

export interface RedshiftDataEmulator {
  /** Base URL for the SDK's `endpoint` option or `AWS_ENDPOINT_URL_REDSHIFT_DATA`, e.g. `http://127.0.0.1:40123`. */
  endpoint: string;
  /** The Postgres the SQL runs on: create schemas/tables and inspect data directly. */
  db: PGlite;
  /** The statements received, for assertions. */
  statements: StatementLog;
  /** The fault hooks in effect; assign or delete members at any time. */
  faults: EmulatorFaults;
  /** Aborts what is running or hanging, stops the server, and closes the PGlite it created. */
  stop(): Promise<void>;
}

/** Starts the emulator; resolves once it accepts requests. */
export async function startRedshiftDataEmulator(options: RedshiftDataEmulatorOptions = {}): Promise<RedshiftDataEmulator> {
  const ownsDb = options.db === undefined;
  const db = options.db ?? (await PGlite.create());
  try {
    await installRedshiftShims(db);
    const faults: EmulatorFaults = { ...options.faults };
    const runner = await runnerContext(db, faults, objectSourceResolver(options.s3));
    const registry = new StatementRegistry(runner, {
      pollsPerStatus: options.pollsPerStatus ?? 1,
      statusDelayMs: options.statusDelayMs ?? 0,
    });
    const server = await startDataApiServer(
      {
        registry,
        target: { workgroupName: options.workgroupName, clusterIdentifier: options.clusterIdentifier },
        resultPageRows: options.resultPageRows ?? 1000,
      },
      faults,
      options.port ?? 0,
    );
    let stopped: Promise<void> | undefined;
    return {
      endpoint: server.endpoint,
      db,
      statements: registry,
      faults,
      stop: () =>
        (stopped ??= (async () => {
          await registry.stop();
          await server.close();
          if (ownsDb) await db.close();
        })()),
    };
  } catch (error) {
    if (ownsDb) await db.close();
    throw error;
  }
}

async function runnerContext(db: PGlite, faults: EmulatorFaults, objectSource: () => S3ObjectSource): Promise<RunnerContext> {
  const types = await db.query<{ oid: number; name: string }>("SELECT oid::int AS oid, typname AS name FROM pg_type");
  const typeNames = new Map(types.rows.map((t) => [t.oid, t.name]));
  const identity = (text: string) => text;
  const rawParsers: ParserOptions = Object.fromEntries(types.rows.map((t) => [t.oid, identity]));
  return { db, faults, objectSource, rawParsers, typeName: (oid) => typeNames.get(oid) ?? "unknown" };
}

function objectSourceResolver(s3: RedshiftDataEmulatorOptions["s3"]): () => S3ObjectSource {
  let resolved: S3ObjectSource | undefined;
  return () => {
    if (resolved) return resolved;
    if (s3 === undefined) {
      throw new Error("COPY from S3: the Redshift Data API emulator was started without an `s3` option");
    }
    if (typeof s3 === "function") resolved = objectSourceFromS3Client(s3());
    else if ("send" in s3) resolved = objectSourceFromS3Client(s3);
    else resolved = s3;
    return resolved;
  };
}
