/**
 * Worker thread entry of the transform engine: transforms the batches the main thread sends,
 * one at a time, in the shared slot the request names (see batch-slots.ts), and answers
 * with the lengths of what it wrote there; a batch or result that does not fit its slot
 * travels in memory of its own, moved (not copied) between the threads.
 */
import "../records/arktype-startup.ts";
import { parentPort, workerData } from "node:worker_threads";
import type { ColumnLayout } from "../records/header.ts";
import { partitionDuplicates, type PartitionTask } from "../dedup/partition-dedup.ts";
import { BatchTransformer, type BatchResult, type BatchTransformOptions } from "./batch-transform.ts";
import { SlotViews, type SlotMemory } from "./batch-slots.ts";

/** What the main thread gives each worker at start. */
export interface WorkerSetup {
  options: BatchTransformOptions;
  slots: SlotMemory;
}

/**
 * Main thread → worker: a batch in slot `slot` (its first `length` bytes), or in `bytes` when
 * it has no slot; or, at the end of a run whose dedup spilled, a spill partition to dedup.
 */
export type WorkerRequest = BatchRequest | { kind: "partition"; id: number; task: PartitionTask };

export interface BatchRequest {
  kind: "batch";
  id: number;
  slot: number;
  length: number;
  bytes?: Uint8Array;
  layout: ColumnLayout;
  final: boolean;
}

/** A result on the wire: the parts that are in the batch's slot are sent as lengths only. */
export type WireResult = Omit<BatchResult, "clean" | "cleanEnds" | "hashes"> & {
  cleanBytes: number;
  cleanCount: number;
  clean?: Uint8Array;
  cleanEnds?: Uint32Array;
  hashes?: Int32Array;
};

/** Worker → main thread: ready (sent once), a batch's result, a partition's duplicate bits, or the error that stopped a request. */
export type BatchReply =
  | { ready: true }
  | { id: number; result: WireResult }
  | { id: number; bits: Uint8Array }
  | { id: number; error: { message: string; stack?: string } };

/** A result for the wire: what lies in slot memory is left out, what does not is moved. */
export function toWire(result: BatchResult, views: SlotViews, slot: number): { wire: WireResult; transfer: ArrayBuffer[] } {
  const { clean, cleanEnds, hashes, ...rest } = result;
  const wire: WireResult = { ...rest, cleanBytes: clean.length, cleanCount: cleanEnds.length };
  const transfer: ArrayBuffer[] = [result.rejectedLines.buffer as ArrayBuffer];
  const own = <T extends { buffer: ArrayBufferLike }>(part: T, shared: { buffer: ArrayBufferLike } | undefined) => {
    if (shared !== undefined && part.buffer === shared.buffer) return undefined;
    transfer.push(part.buffer as ArrayBuffer);
    return part;
  };
  const c = own(clean, views.clean[slot]);
  const e = own(cleanEnds, views.cleanEnds[slot]);
  const h = own(hashes, views.hashes[slot]);
  if (c) wire.clean = c;
  if (e) wire.cleanEnds = e;
  if (h) wire.hashes = h;
  return { wire, transfer };
}

/** A result back from the wire, its slot parts as views of the receiving thread's slot memory. */
export function fromWire(wire: WireResult, views: SlotViews, slot: number): BatchResult {
  const { cleanBytes, cleanCount, clean, cleanEnds, hashes, ...rest } = wire;
  const bytes = clean ? Buffer.from(clean.buffer, clean.byteOffset, clean.byteLength) : views.clean[slot]!.subarray(0, cleanBytes);
  return {
    ...rest,
    clean: bytes,
    cleanEnds: cleanEnds ?? views.cleanEnds[slot]!.subarray(0, cleanCount),
    hashes: hashes ?? views.hashes[slot]!.subarray(0, cleanCount),
  };
}

if (parentPort) {
  const port = parentPort;
  const setup = workerData as WorkerSetup;
  const transformer = new BatchTransformer(setup.options);
  const views = new SlotViews(setup.slots);
  port.on("message", (request: WorkerRequest) => {
    let reply: BatchReply;
    try {
      if (request.kind === "partition") {
        const bits = partitionDuplicates(request.task);
        port.postMessage({ id: request.id, bits } satisfies BatchReply, [bits.buffer as ArrayBuffer]);
        return;
      }
      let bytes: Buffer;
      if (request.slot >= 0) {
        bytes = views.input[request.slot]!.subarray(0, request.length);
        transformer.useMemory({ clean: views.clean[request.slot]!, cleanEnds: views.cleanEnds[request.slot]!, hashes: views.hashes[request.slot]! });
      } else {
        bytes = Buffer.from(request.bytes!.buffer, request.bytes!.byteOffset, request.bytes!.byteLength);
      }
      const result = transformer.transform(bytes, request.layout, request.final);
      const { wire, transfer } = toWire(result, views, request.slot);
      port.postMessage({ id: request.id, result: wire } satisfies BatchReply, transfer);
      return;
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      reply = { id: request.id, error: { message: e.message, ...(e.stack ? { stack: e.stack } : {}) } };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true } satisfies BatchReply);
}
