/**
 * The composition of a warehouse from its config: Redshift through the Data API when Redshift
 * is configured, else Postgres (embedded PGlite in a folder or in memory, or a `postgres://`
 * server). `main.ts` parses the config; this builds the adapters.
 */
import type { RedshiftDataClientConfig } from "@aws-sdk/client-redshift-data";
import type { S3Client } from "@aws-sdk/client-s3";
import { EtlError } from "../errors.ts";
import type { Clock } from "./data-api-statements.ts";
import type { RedshiftWarehouseConfig } from "./data-api-target.ts";
import { partReaderFor, type PartReader } from "./part-reader.ts";
import { pgSession } from "./pg-session.ts";
import { openPglite, pgliteSession } from "./pglite-session.ts";
import { PostgresWarehouse } from "./postgres-warehouse.ts";
import { RedshiftWarehouse } from "./redshift-warehouse.ts";
import { acquireWarehouseLock, type WarehouseLockOptions } from "./warehouse-lock.ts";
import { DEFAULT_LOCK_WAIT_SECONDS } from "./warehouse-lock-decision.ts";
import type { Warehouse } from "./warehouse.ts";

/** The Postgres warehouse: at most one of `dataDir` and `url`; neither means an in-memory PGlite. */
export interface PostgresWarehouseConfig {
  /** Folder of the embedded PGlite database, created if missing, e.g. `.cti-etl/warehouse`. */
  dataDir?: string;
  /** A Postgres server, e.g. `postgres://etl@db.internal:5432/cti` (password from the URL, PGPASSWORD or ~/.pgpass). */
  url?: string;
}

export type WarehouseConfig = ({ kind: "redshift" } & RedshiftWarehouseConfig) | ({ kind: "postgres" } & PostgresWarehouseConfig);

/** What the composition root may supply; everything is optional. */
export interface WarehouseDeps {
  /**
   * Redshift: options merged into `new RedshiftDataClient(…)`. Default `{}`: region, credentials
   * and an endpoint override (`AWS_ENDPOINT_URL_REDSHIFT_DATA`) come from the SDK's default chains.
   * Example for tests: `{ endpoint: emulator.endpoint, region: "us-east-1", credentials }`.
   */
  redshiftClientConfig?: RedshiftDataClientConfig;
  /** Postgres: reads a clean part's gzip bytes. Default: `file://` from disk, `s3://` through `s3`. */
  readPart?: PartReader;
  /** Postgres: S3 client for `s3://` parts when `readPart` is not given. */
  s3?: Pick<S3Client, "send">;
  /** Redshift: time and jitter. Default: the system clock. */
  clock?: Clock;
  /**
   * PGlite folder: who takes its lock and how long it waits for another holder. Default
   * `{ command: "run", waitMs: 60_000 }`. Example: `{ command: "sql", waitMs: 5_000, onWait: (m) => warn(m) }`.
   * In-memory PGlite and `postgres://` need no lock (Postgres locks its own data directory).
   */
  lock?: WarehouseLockOptions;
}

/**
 * Builds the configured warehouse; `close()` it when done. Each adapter's package (the Redshift
 * Data client here, pg here, PGlite in openPglite) is imported when chosen, so a run loads only the
 * one it uses. Our own modules stay static imports: under the tests' loader a dynamically imported
 * module of ours would be a second instance (its EtlError another class).
 */
export async function createWarehouse(config: WarehouseConfig, deps: WarehouseDeps = {}): Promise<Warehouse> {
  if (config.kind === "redshift") {
    const { RedshiftDataClient } = await import("./redshift-data-sdk.ts");
    const client = new RedshiftDataClient({ ...deps.redshiftClientConfig });
    try {
      return new RedshiftWarehouse(config, { client, release: () => client.destroy(), ...(deps.clock ? { clock: deps.clock } : {}) });
    } catch (error) {
      client.destroy();
      throw error;
    }
  }
  const readPart = deps.readPart ?? partReaderFor(deps.s3);
  if (config.url !== undefined && config.dataDir !== undefined) {
    throw new EtlError("USAGE", "Postgres warehouse: set a PGlite folder or a postgres:// URL, not both");
  }
  if (config.url !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(config.url)) throw new EtlError("USAGE", "Postgres warehouse URL must start with postgres://");
    const { default: pg } = await import("pg");
    return new PostgresWarehouse(pgSession(new pg.Pool({ connectionString: config.url, max: 4 }), true), readPart);
  }
  if (config.dataDir === undefined) return new PostgresWarehouse(pgliteSession(await openPglite(), true), readPart);
  // PGlite is single-user Postgres: two processes on one folder corrupt it. Lock, then open.
  const lock = await acquireWarehouseLock(config.dataDir, deps.lock ?? { command: "run", waitMs: DEFAULT_LOCK_WAIT_SECONDS * 1000 });
  let db;
  try {
    db = await openPglite(config.dataDir);
  } catch (error) {
    await lock.release();
    throw error;
  }
  return new PostgresWarehouse(pgliteSession(db, true, lock.release), readPart);
}
