/**
 * The checked facts of one load, worked out once from the request before any I/O: the tables,
 * the input fingerprint, the ledger entry and the number of rows the stage must end up with.
 */
import { EtlError } from "../errors.ts";
import { compressionOfParts, type Compression } from "../sinks/codec.ts";
import { RUN_ID_PATTERN } from "../run/run-id.ts";
import { inputFingerprint, ledgerInputsText } from "./input-fingerprint.ts";
import type { LedgerEntry } from "./ledger-sql.ts";
import { md5RowHash, type RowHashSql } from "./row-hash-sql.ts";
import type { SqlDialect } from "./sql-quote.ts";
import { warehouseTables, type WarehouseTables } from "./table-names.ts";
import type { LoadRequest, LoadResult } from "./warehouse.ts";

/**
 * Most bytes of the ledger's `inputs` text: within Redshift's VARCHAR(65535), and leaving room
 * in the Data API's 100 KB statement for the rest of the INSERT.
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html (considerations)
 */
export const LEDGER_INPUTS_MAX_BYTES = 60_000;

export interface LoadPlan {
  tables: WarehouseTables;
  fingerprint: string;
  ledger: LedgerEntry;
  /** Rows of the clean parts: what the stage must hold. */
  cleanRows: number;
  /** The SQL of a row's hash (`md5RowHash`; tests pass a tiny one to force collisions). */
  rowHash: RowHashSql;
  /** The parts' codec, from their names (sinks/codec.ts): how COPY and the embedded load read them. */
  compression: Compression;
  /** The staged rows may repeat (see `LoadRequest.rowsMayRepeat`). */
  rowsMayRepeat: boolean;
}

/**
 * Checks `request` and derives the plan.
 * @throws EtlError USAGE for a bad run id or table name; INVARIANT_BROKEN when the parts do not
 *   hold exactly the clean rows; INTERNAL for a malformed request.
 */
export function planLoad(request: LoadRequest, dialect: SqlDialect, rowHash: RowHashSql = md5RowHash): LoadPlan {
  if (!RUN_ID_PATTERN.test(request.runId)) throw new EtlError("USAGE", `not a valid run id: ${JSON.stringify(request.runId)}`);
  const tables = warehouseTables(request.table);
  if (Number.isNaN(Date.parse(request.startedAt))) throw new EtlError("INTERNAL", `startedAt is not an ISO timestamp: ${request.startedAt}`);
  for (const part of request.parts) {
    if (!Number.isSafeInteger(part.rows) || part.rows < 0) throw new EtlError("INTERNAL", `part ${part.url} has an invalid row count ${part.rows}`);
  }
  const cleanRows = request.parts.reduce((n, p) => n + p.rows, 0);
  if (cleanRows !== request.counts.clean) {
    throw new EtlError("INVARIANT_BROKEN", `the clean parts hold ${cleanRows} rows but the run counted ${request.counts.clean} clean rows; nothing was loaded`);
  }
  if (request.inputs.length === 0) throw new EtlError("INTERNAL", "a load needs the run's inputs, to recognise a rerun");
  const fingerprint = inputFingerprint(request.inputs);
  return {
    tables,
    fingerprint,
    cleanRows,
    rowHash,
    compression: compressionOfParts(request.parts.map((p) => p.url)),
    rowsMayRepeat: request.rowsMayRepeat === true,
    ledger: {
      runId: request.runId,
      taskArn: request.taskArn ?? "local",
      fingerprint,
      inputsText: ledgerInputsText(request.inputs, dialect === "redshift" ? LEDGER_INPUTS_MAX_BYTES : Number.POSITIVE_INFINITY),
      counts: request.counts,
      cleanRows,
      startedAt: request.startedAt,
    },
  };
}

/** The result of a rerun: nothing inserted; every clean row is there from the earlier run. */
export function alreadyLoaded(loadedBy: string, plan: Pick<LoadPlan, "cleanRows">): LoadResult {
  return { outcome: "already-loaded", loadedBy, loaded: 0, alreadyPresent: plan.cleanRows };
}
