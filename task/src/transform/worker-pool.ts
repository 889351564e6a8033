import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { EtlError } from "../errors.ts";
import { BatchTransformer, type BatchResult, type BatchTransformOptions } from "./batch-transform.ts";
import { allocateSlots, BatchSlots } from "./batch-slots.ts";
import type { PartitionTask } from "../dedup/partition-dedup.ts";
import { fromWire, type BatchReply, type BatchRequest, type WorkerRequest, type WorkerSetup } from "./batch-worker.ts";
import type { InputBatch } from "./input-batches.ts";

/** How to start a worker: its entry file, and the code to run it with. */
interface WorkerEntry {
  /** The entry module, checked to exist before any worker starts. */
  file: string;
  /** What `new Worker` runs: the file, or (from source) a bootstrap that loads it through tsx. */
  script: string | URL;
  eval: boolean;
}

/**
 * Where the worker entry is: next to the bundle when running the bundle (task/build.sh
 * builds `batch-worker.mjs` beside `main.mjs`); next to this module when running from source,
 * loaded through tsx, registered in the worker by a bootstrap (Node 20 workers do not take
 * the parent's `--import`).
 */
function workerEntry(): WorkerEntry {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) {
    const url = new URL("./batch-worker.mjs", here);
    return { file: fileURLToPath(url), script: url, eval: false };
  }
  const url = new URL("./batch-worker.ts", here).href;
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(url)}); });`;
  return { file: fileURLToPath(url), script: bootstrap, eval: true };
}

interface Pending {
  slot: number;
  resolve: (result: BatchResult | Uint8Array) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
  ready: boolean;
}

/**
 * Worker threads that transform batches; each batch goes to the ready worker with the fewest
 * in hand. The calling thread transforms a batch itself when every worker already has
 * `queuePerWorker` in hand, and while none is ready: a worker takes a few hundred
 * milliseconds to start (loading arktype, mostly), and that time is not lost.
 */
export class BatchWorkerPool {
  private readonly workers: PoolWorker[];
  private nextId = 0;
  private failure: Error | undefined;
  private readonly options: BatchTransformOptions;
  private local: BatchTransformer | undefined;
  /** Shared memory for the batches in flight: fill batches with {@link BatchSlots.take}. */
  readonly slots: BatchSlots;

  /**
   * Starts `count` workers (0 is allowed: everything then runs on the calling thread, and no
   * worker entry is needed).
   * @param count worker threads
   * @param slots batches that can be in flight at once (in hand of the caller included)
   * @param batchBytes the most bytes a batch in a slot may have
   * @throws EtlError INTERNAL when workers are asked for and their entry is missing (a bundle built without it).
   */
  constructor(
    count: number,
    options: BatchTransformOptions,
    slots: number,
    batchBytes: number,
    private readonly queuePerWorker = 2,
  ) {
    const entry = count > 0 ? workerEntry() : undefined;
    if (entry && !existsSync(entry.file)) {
      throw new EtlError("INTERNAL", `the worker entry ${entry.file} is missing: build it next to the bundle (task/build.sh), or run with --workers 1`);
    }
    const memory = allocateSlots(slots, batchBytes);
    this.slots = new BatchSlots(memory);
    this.workers = entry ? Array.from({ length: count }, () => this.startWorker(entry, { options, slots: memory })) : [];
    this.options = options;
  }

  /**
   * Transforms one batch on a worker, or here while none is ready, or when every worker has
   * its queue full and `mayHelp` (the caller has nothing more urgent to do).
   */
  transform(batch: InputBatch, mayHelp = true): Promise<BatchResult> {
    if (this.failure) return Promise.reject(this.failure);
    const ready = this.workers.filter((w) => w.ready);
    const target = ready.reduce<PoolWorker | undefined>((a, b) => (a === undefined || b.pending.size < a.pending.size ? b : a), undefined);
    const slot = this.slots.slotOf(batch.bytes);
    if (target === undefined || (mayHelp && target.pending.size >= this.queuePerWorker)) {
      try {
        this.local ??= new BatchTransformer(this.options);
        const v = this.slots.views;
        if (slot >= 0) this.local.useMemory({ clean: v.clean[slot]!, cleanEnds: v.cleanEnds[slot]!, hashes: v.hashes[slot]! });
        return Promise.resolve(this.local.transform(batch.bytes, batch.layout, batch.final));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    const id = this.nextId++;
    return new Promise<BatchResult>((resolve, reject) => {
      target.pending.set(id, { slot, resolve: resolve as Pending["resolve"], reject });
      const request: BatchRequest =
        slot >= 0
          ? { kind: "batch", id, slot, length: batch.bytes.length, layout: batch.layout, final: batch.final }
          : { kind: "batch", id, slot, length: batch.bytes.length, bytes: batch.bytes, layout: batch.layout, final: batch.final };
      target.worker.postMessage(request, slot >= 0 ? [] : [batch.bytes.buffer as ArrayBuffer]);
    });
  }

  /** Helpers for the spilled dedup's drain: one per worker, each running partitions on its worker. */
  partitionHelpers(): ((task: PartitionTask) => Promise<Uint8Array>)[] {
    return this.workers.map((target) => (task: PartitionTask) => {
      if (this.failure) return Promise.reject(this.failure);
      const id = this.nextId++;
      return new Promise<Uint8Array>((resolve, reject) => {
        target.pending.set(id, { slot: -1, resolve: resolve as Pending["resolve"], reject });
        target.worker.postMessage({ kind: "partition", id, task } satisfies WorkerRequest);
      });
    });
  }

  /** Frees the slot of a batch whose result the caller is done with (it must not be used again). */
  release(batch: InputBatch): void {
    this.slots.release(this.slots.slotOf(batch.bytes));
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private startWorker(entry: WorkerEntry, setup: WorkerSetup): PoolWorker {
    const worker = new Worker(entry.script, { workerData: setup, eval: entry.eval });
    const self: PoolWorker = { worker, pending: new Map(), ready: false };
    worker.on("message", (reply: BatchReply) => {
      if ("ready" in reply) {
        self.ready = true;
        return;
      }
      const pending = self.pending.get(reply.id);
      if (!pending) return;
      self.pending.delete(reply.id);
      if ("error" in reply) {
        const error = new Error(`batch transform failed: ${reply.error.message}`);
        if (reply.error.stack) error.stack = reply.error.stack;
        pending.reject(error);
      } else if ("bits" in reply) {
        pending.resolve(reply.bits);
      } else {
        pending.resolve(fromWire(reply.result, this.slots.views, pending.slot));
      }
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const p of self.pending.values()) p.reject(error);
      self.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => {
      if (self.pending.size > 0) fail(new Error(`a batch worker exited (code ${code}) with batches in hand`));
    });
    return self;
  }
}
