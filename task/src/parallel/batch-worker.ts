/**
 * Worker thread entry of the parallel path: transforms the batches the main thread sends,
 * one at a time, and sends the results back, moving (not copying) the buffers both ways.
 */
import "../record/arktype-startup.ts";
import { parentPort, workerData } from "node:worker_threads";
import type { ColumnLayout } from "../csv/header.ts";
import { BatchTransformer, type BatchResult, type BatchTransformOptions, type SpareBuffers } from "./batch-transform.ts";

/** Main thread → worker: a batch, and memory of earlier results to reuse. */
export interface BatchRequest {
  id: number;
  bytes: Uint8Array;
  layout: ColumnLayout;
  final: boolean;
  spare?: SpareBuffers;
}

/**
 * Worker → main thread: ready for batches (sent once); a batch's result, with the batch's
 * memory handed back for reuse; or the error that stopped it.
 */
export type BatchReply = { ready: true } | { id: number; result: BatchResult; input: ArrayBuffer } | { id: number; error: { message: string; stack?: string } };

/** The buffers of a result, to transfer instead of copy. */
export function transferList(result: BatchResult): ArrayBuffer[] {
  return [result.clean.buffer, result.cleanEnds.buffer, result.hashes.buffer, result.rejectedLines.buffer] as ArrayBuffer[];
}

/** The memory of a result its receiver is done with. */
export function spareOf(result: BatchResult): SpareBuffers {
  return { clean: result.clean.buffer as ArrayBuffer, cleanEnds: result.cleanEnds.buffer as ArrayBuffer, hashes: result.hashes.buffer as ArrayBuffer };
}

if (parentPort) {
  const port = parentPort;
  const transformer = new BatchTransformer(workerData as BatchTransformOptions);
  port.on("message", (request: BatchRequest) => {
    let reply: BatchReply;
    try {
      if (request.spare) transformer.giveBack(request.spare);
      const input = request.bytes.buffer as ArrayBuffer;
      const bytes = Buffer.from(input, request.bytes.byteOffset, request.bytes.byteLength);
      const result = transformer.transform(bytes, request.layout, request.final);
      port.postMessage({ id: request.id, result, input } satisfies BatchReply, [...transferList(result), input]);
      return;
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      reply = { id: request.id, error: { message: e.message, ...(e.stack ? { stack: e.stack } : {}) } };
    }
    port.postMessage(reply);
  });
  port.postMessage({ ready: true } satisfies BatchReply);
}
