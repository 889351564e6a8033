/**
 * One run of the job, from lease to outcome, over adapters the composition root built:
 *
 * 1. take the run lease (S3 outputs): if another run holds it, report "skipped" and stop;
 * 2. transform: input → clean and rejected parts → publish (summary, manifest);
 * 3. check the run against its history (before the load, so bad data never lands);
 * 4. load into the warehouse, exactly once;
 * 5. report the outcome: a log line, EMF metrics, notifications.
 *
 * The deadline, a lost lease and the task being stopped (SIGTERM) abort what is in flight.
 */
import { errorCode } from "../errors.ts";
import { describeHolder } from "../lease/lease-record.ts";
import type { S3Lease } from "../lease/s3-lease.ts";
import type { InputSource } from "../source/input-source.ts";
import { transformAndPublish, type JobOptions } from "./transform-and-publish.ts";
import { LOAD_FILE, loadRequestFor, withLoad, type LoadedSummary } from "../load/load-run.ts";
import { readRecentRuns } from "../load/ledger-history.ts";
import type { RunObserver } from "../observability/run-observer.ts";
import { runFailure } from "../observability/run-outcome.ts";
import type { RunOutput } from "../sinks/run-output.ts";
import type { RunDeadline } from "./deadline.ts";
import { stopSignal } from "./deadline.ts";
import type { RunSummary } from "./summary.ts";
import type { Warehouse } from "../load/warehouse.ts";

/** The warehouse side of a run. */
export interface RunWarehouse {
  /**
   * Opens it. `waitForLock: false`: an embedded warehouse another command holds fails at once
   * (`WAREHOUSE_LOCKED`) instead of waiting the run's --lock-wait.
   */
  open(options?: { waitForLock?: boolean }): Promise<Warehouse>;
  dialect: "redshift" | "postgres";
  table: string;
  /** For people: e.g. `embedded PGlite in .cti-etl/warehouse`. */
  describe: string;
}

/** Everything one run needs, built by main.ts. */
export interface RunOnceDeps {
  runId: string;
  /** As given on the command line or in CTI_INPUT, for reports. */
  inputUri: string;
  input: InputSource;
  openOutput(): Promise<RunOutput>;
  /** Transform settings passed to {@link transformAndPublish}. */
  transform: Pick<JobOptions, "maxFieldBytes" | "partBytes" | "compression" | "gzipLevel" | "onProgress" | "workers" | "memoryBudgetBytes" | "sliceCount">;
  warehouse?: RunWarehouse;
  /** The run lease; absent for local outputs (one laptop, one user). */
  lease?: S3Lease;
  observer: RunObserver;
  deadline?: RunDeadline;
  /** Aborts when the task is stopped (run/termination.ts). */
  terminated?: AbortSignal;
  /** The ECS task running this (for the ledger), or `local`. */
  taskArn: string;
}

/** What a run ended with. */
export type RunResult = { status: "succeeded"; summary: RunSummary | LoadedSummary } | { status: "skipped"; runId: string; reason: string };

/** `work`'s outcome as a value, so a promise awaited later never counts as unhandled. */
function settled<T>(work: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; value?: undefined; error: unknown }> {
  return work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** Settles like `work`, or rejects with the signal's reason once it aborts. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

export async function runOnce(deps: RunOnceDeps): Promise<RunResult> {
  const { observer, lease } = deps;
  const log = observer.logger;
  const started = new Date();
  const facts = () => ({
    runId: deps.runId,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - started.getTime(),
    input: deps.inputUri,
  });

  if (lease) {
    const claim = await lease.acquire();
    if (!claim.acquired) {
      const reason = `another run holds the lease: ${describeHolder(claim.heldBy, Date.now())}`;
      log.info(`skipping this run: ${reason}`, { heldBy: claim.heldBy });
      await observer.finish({ status: "skipped", reason, ...facts() });
      return { status: "skipped", runId: deps.runId, reason };
    }
    if (claim.tookOverFrom) log.warn("took over an expired lease (a crashed or stalled run)", { from: claim.tookOverFrom });
    lease.startRenewing();
  }
  const stop = stopSignal(deps.deadline?.signal, lease?.lost, deps.terminated);
  // The warehouse opens while the transform runs (an embedded one: its lock taken and its
  // database started, a second or more that would otherwise follow the transform), if its lock
  // is free: one another command holds is waited for after the transform, for --lock-wait, as
  // if it had not been tried. Awaited, with any failure, once the transform has published.
  const early = deps.warehouse ? settled(deps.warehouse.open({ waitForLock: false })) : undefined;
  let warehouse: Warehouse | undefined;
  let output: RunOutput | undefined;
  try {
    output = await deps.openOutput();
    const opened = output;
    const summary = await observer.stage("transform", () =>
      untilAborted(transformAndPublish({ runId: deps.runId, input: deps.input, output: opened, ...deps.transform }), stop),
    );
    if (!deps.warehouse || !early) {
      await observer.finish({ status: "succeeded", ...facts(), counts: summary });
      return { status: "succeeded", summary };
    }
    const target = deps.warehouse;
    const first = await early;
    if (first.ok) warehouse = first.value;
    else if (errorCode(first.error) === "WAREHOUSE_LOCKED") warehouse = await target.open();
    else throw first.error;
    const wh = warehouse;
    await observer.checkAgainstHistory(summary, (limit) => readRecentRuns(wh, target.dialect, target.table, { limit, onlyLoaded: true }));
    stop?.throwIfAborted();
    const result = await observer.stage("load", () => wh.load({ ...loadRequestFor(summary, opened, target.table), taskArn: deps.taskArn }, stop));
    await opened.writeAfterPublish({
      relPath: LOAD_FILE,
      body: JSON.stringify({ runId: deps.runId, ...result, warehouse: target.describe, table: target.table }, null, 2) + "\n",
    });
    if (result.outcome === "already-loaded") {
      log.info(`already loaded: this input was loaded by run ${result.loadedBy}; nothing new was added to ${target.table}`, { loadedBy: result.loadedBy });
    }
    await observer.finish({
      status: "succeeded",
      ...facts(),
      counts: summary,
      load: { outcome: result.outcome, loaded: result.loaded, alreadyPresent: result.alreadyPresent },
    });
    return { status: "succeeded", summary: withLoad(summary, result, target.describe, target.table) };
  } catch (error) {
    // Stopped by the deadline, a lost lease or SIGTERM mid-transform: abort the uploads in flight
    // (nothing is published before the transform ends, so nothing half-written shows).
    if (stop?.aborted) await output?.discard().catch((e: unknown) => log.warn("aborting uploads failed", { error: e }));
    await observer.finish({ status: "failed", ...facts(), failure: runFailure(error) });
    throw error;
  } finally {
    deps.deadline?.cancel();
    // Opened early by a run that then failed: closed (and its lock released) all the same.
    const opened = warehouse ?? (await early)?.value;
    await opened?.close().catch((error: unknown) => log.warn("closing the warehouse failed", { error }));
    if (lease) {
      const released = await lease.release().catch((error: unknown) => ({ released: false as const, reason: String(error) }));
      if (!released.released) log.warn("the run lease was not released", { outcome: released });
    }
  }
}
