/**
 * Worker thread entry of the parallel path: transforms the batches the main thread sends,
 * one at a time, and sends the results back, moving (not copying) the buffers both ways.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { ColumnLayout } from "../csv/header.ts";
import { BatchTransformer, type BatchResult, type BatchTransformOptions } from "./batch-transform.ts";

/** Main thread → worker. */
export interface BatchRequest {
  id: number;
  bytes: Uint8Array;
  layout: ColumnLayout;
  final: boolean;
}

/** Worker → main thread: the result, or the error that stopped the batch. */
export type BatchReply = { id: number; result: BatchResult } | { id: number; error: { message: string; stack?: string } };

/** The buffers of a result, to transfer instead of copy. */
export function transferList(result: BatchResult): ArrayBuffer[] {
  return [result.clean.buffer, result.cleanEnds.buffer, result.hashes.buffer, result.rejectedLines.buffer] as ArrayBuffer[];
}

if (parentPort) {
  const port = parentPort;
  const transformer = new BatchTransformer(workerData as BatchTransformOptions);
  port.on("message", (request: BatchRequest) => {
    let reply: BatchReply;
    try {
      const bytes = Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength);
      const result = transformer.transform(bytes, request.layout, request.final);
      port.postMessage({ id: request.id, result } satisfies BatchReply, transferList(result));
      return;
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      reply = { id: request.id, error: { message: e.message, ...(e.stack ? { stack: e.stack } : {}) } };
    }
    port.postMessage(reply);
  });
}
