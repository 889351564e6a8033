import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { EtlError } from "../errors.ts";
import { BatchTransformer, type BatchResult, type BatchTransformOptions, type SpareBuffers } from "./batch-transform.ts";
import { spareOf, type BatchReply, type BatchRequest } from "./batch-worker.ts";
import { BufferPool } from "./buffer-pool.ts";
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
  resolve: (result: BatchResult) => void;
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
  /** Memory of batches the workers are done with: fill the next batches with it. */
  readonly inputs = new BufferPool();
  /** Memory of results the caller is done with, to send along with the next batches. */
  private readonly spares: SpareBuffers[] = [];

  /**
   * Starts `count` workers (0 is allowed: everything then runs on the calling thread).
   * @throws EtlError INTERNAL when the worker entry is missing (a bundle built without it).
   */
  constructor(
    count: number,
    options: BatchTransformOptions,
    private readonly queuePerWorker = 2,
  ) {
    const entry = workerEntry();
    if (!existsSync(entry.file)) {
      throw new EtlError("INTERNAL", `the worker entry ${entry.file} is missing: build it next to the bundle (task/build.sh), or run with --workers 1`);
    }
    this.workers = Array.from({ length: count }, () => this.startWorker(entry, options));
    this.options = options;
  }

  /** Transforms one batch on a worker (the batch's buffer moves to the worker), or here while none is ready. */
  transform(batch: InputBatch): Promise<BatchResult> {
    if (this.failure) return Promise.reject(this.failure);
    const ready = this.workers.filter((w) => w.ready);
    const target = ready.reduce<PoolWorker | undefined>((a, b) => (a === undefined || b.pending.size < a.pending.size ? b : a), undefined);
    if (target === undefined || target.pending.size >= this.queuePerWorker) {
      try {
        this.local ??= new BatchTransformer(this.options);
        const spare = this.spares.pop();
        if (spare) this.local.giveBack(spare);
        const result = this.local.transform(batch.bytes, batch.layout, batch.final);
        this.inputs.give(batch.bytes.buffer);
        return Promise.resolve(result);
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    const id = this.nextId++;
    return new Promise<BatchResult>((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      const spare = this.spares.pop();
      const request: BatchRequest = { id, bytes: batch.bytes, layout: batch.layout, final: batch.final, ...(spare ? { spare } : {}) };
      const transfer = [batch.bytes.buffer as ArrayBuffer, ...(spare ? Object.values(spare) : [])] as ArrayBuffer[];
      target.worker.postMessage(request, transfer);
    });
  }

  /** Takes back the memory of a result the caller is done with (it must not be used again). */
  recycle(result: BatchResult): void {
    if (this.spares.length < 2 * this.workers.length + 2) this.spares.push(spareOf(result));
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private startWorker(entry: WorkerEntry, options: BatchTransformOptions): PoolWorker {
    const worker = new Worker(entry.script, { workerData: options, eval: entry.eval });
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
      } else {
        this.inputs.give(reply.input);
        pending.resolve(revive(reply.result));
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

/** Structured clone turns Buffers into plain Uint8Arrays; make them Buffers again. */
function revive(result: BatchResult): BatchResult {
  const clean = result.clean as Uint8Array;
  return { ...result, clean: Buffer.from(clean.buffer, clean.byteOffset, clean.byteLength) };
}
