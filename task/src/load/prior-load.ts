/**
 * What the ledger says before a load starts: nothing to stop it, this input already loaded
 * (the rerun is a no-op), or this run id already used for another input (a mistake).
 */
import { EtlError } from "../errors.ts";
import { LEDGER_STATUS_LOADED } from "./ledger-sql.ts";

/** A ledger row as `priorLoadsSql` selects it. */
export interface PriorLoadRow {
  runId: string;
  fingerprint: string;
  status: string;
}

export type PriorLoad = { kind: "none" } | { kind: "already-loaded"; loadedBy: string };

/**
 * Decides from the rows of `priorLoadsSql` (oldest first): the earliest committed load of this
 * fingerprint wins; otherwise a row with this run id means the id was reused.
 * @throws EtlError OUTPUT_REJECTED when this run id already loaded a different input.
 */
export function decidePriorLoad(rows: readonly PriorLoadRow[], runId: string, fingerprint: string): PriorLoad {
  const loaded = rows.find((r) => r.fingerprint.trim() === fingerprint && r.status === LEDGER_STATUS_LOADED);
  if (loaded) return { kind: "already-loaded", loadedBy: loaded.runId };
  if (rows.some((r) => r.runId === runId)) {
    throw new EtlError("OUTPUT_REJECTED", `run ${runId} is already in the warehouse ledger with another input; use a new run id`);
  }
  return { kind: "none" };
}

/** Reads `priorLoadsSql` rows given as arrays of values in its column order. */
export function priorLoadRows(rows: readonly (readonly unknown[])[]): PriorLoadRow[] {
  return rows.map(([runId, fingerprint, status]) => ({ runId: String(runId), fingerprint: String(fingerprint), status: String(status) }));
}
