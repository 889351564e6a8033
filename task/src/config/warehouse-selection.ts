import { EtlError } from "../errors.ts";
import type { WarehouseConfig } from "../load/create-warehouse.ts";

/** Where the embedded warehouse lives by default: a PGlite folder beside the local runs. */
export const DEFAULT_EMBEDDED_WAREHOUSE = ".cti-etl/warehouse";
/** Default target table. */
export const DEFAULT_TABLE = "public.cti_records";

/** The warehouse-related environment (see README, configuration reference). */
export interface WarehouseEnv {
  /** `CTI_REDSHIFT_WORKGROUP`: a Redshift Serverless workgroup; selects Redshift. */
  workgroup?: string;
  /** `CTI_REDSHIFT_CLUSTER`: a provisioned cluster identifier; selects Redshift. */
  cluster?: string;
  /** `CTI_REDSHIFT_DB_USER`: cluster only, temporary credentials for this user. */
  dbUser?: string;
  /** `CTI_REDSHIFT_SECRET_ARN`: database credentials in Secrets Manager (never a password). */
  secretArn?: string;
  /** `CTI_REDSHIFT_DATABASE`. */
  database?: string;
  /** `CTI_REDSHIFT_COPY_ROLE_ARN`: the role Redshift assumes for COPY. */
  copyRoleArn?: string;
  /** `CTI_WAREHOUSE`: embedded warehouse folder, a `postgres://` URL, or `none`. */
  warehouse?: string;
  /** `CTI_TABLE`: target table. */
  table?: string;
}

/** The chosen warehouse, or none (transform only). */
export type WarehouseChoice = { config: WarehouseConfig; table: string; describe: string } | undefined;

/**
 * Picks the warehouse: `--warehouse` first, then Redshift when a workgroup or cluster is
 * configured, then `CTI_WAREHOUSE`, then the embedded PGlite folder. `none` skips the load.
 * @throws EtlError USAGE for an incomplete Redshift configuration.
 */
export function selectWarehouse(env: WarehouseEnv, flag: { warehouse?: string; table?: string } = {}): WarehouseChoice {
  const table = flag.table ?? env.table ?? DEFAULT_TABLE;
  const explicit = flag.warehouse;
  if (explicit === undefined && (env.workgroup || env.cluster)) {
    const missing = [!env.database && "CTI_REDSHIFT_DATABASE", !env.copyRoleArn && "CTI_REDSHIFT_COPY_ROLE_ARN"].filter(Boolean);
    if (missing.length) throw new EtlError("USAGE", `Redshift is configured but ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set`);
    return {
      config: {
        kind: "redshift",
        ...(env.workgroup ? { workgroupName: env.workgroup } : {}),
        ...(env.cluster ? { clusterIdentifier: env.cluster } : {}),
        ...(env.dbUser ? { dbUser: env.dbUser } : {}),
        ...(env.secretArn ? { secretArn: env.secretArn } : {}),
        database: env.database!,
        copyRoleArn: env.copyRoleArn!,
      },
      table,
      describe: `Redshift ${env.workgroup ? `workgroup ${env.workgroup}` : `cluster ${env.cluster}`}/${env.database}`,
    };
  }
  const target = explicit ?? env.warehouse ?? DEFAULT_EMBEDDED_WAREHOUSE;
  if (target === "none") return undefined;
  if (/^postgres(ql)?:\/\//.test(target)) {
    return { config: { kind: "postgres", url: target }, table, describe: `Postgres ${redactUrl(target)}` };
  }
  return { config: { kind: "postgres", dataDir: target }, table, describe: `embedded PGlite in ${target}` };
}

/** A URL safe to print: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<unparseable URL>";
  }
}
