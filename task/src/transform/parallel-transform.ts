import { RecordTooLong, recordTooLongError } from "../records/record-limit.ts";
import { EtlError } from "../errors.ts";
import { decompressIfGzip } from "../source/decompress.ts";
import type { InputObject } from "../source/input-source.ts";
import { measured } from "../source/measured.ts";
import { StreamPartWriter, type PartInfo } from "../sinks/stream-part-writer.ts";
import type { RunOutput } from "../sinks/run-output.ts";
import { SpillingDedup } from "../dedup/spilling-dedup.ts";
import { emptyCounts, type RecordCounts } from "../records/record-counts.ts";
import type { InputReport } from "../run/summary.ts";
import type { BatchResult } from "./batch-transform.ts";
import { BlockPartWriter } from "../sinks/block-part-writer.ts";
import type { Compression } from "../sinks/codec.ts";
import { inputBatches, type InputBatch } from "./input-batches.ts";
import { BatchWorkerPool } from "./worker-pool.ts";

/** Settings of the transform. */
export interface ParallelTransformOptions {
  /**
   * Threads that parse, normalise and validate, the main thread included (which helps when the
   * others are busy): 1 or more; 1 starts no worker thread.
   */
  workers: number;
  maxFieldBytes: number;
  partBytes: number;
  /** Codec of the clean and rejected parts. */
  compression: Compression;
  /** With gzip: 0 (stored, no compression) to 9. */
  gzipLevel: number;
  /** The clean part count is a multiple of this. */
  slices: number;
  /** Memory the dedup set may use before it spills to `spillDir`. */
  memoryBudgetBytes: number;
  spillDir: string;
  /** Header lines of the clean and the rejected files. */
  cleanHeader: string;
  rejectedHeader: string;
  /** Bytes of input per batch. Default 4 MiB. */
  batchBytes?: number;
  /** The longest record read before the run stops with RECORD_TOO_LONG. */
  maxRecordBytes: number;
  onProgress?: (bytes: number, rows: number) => void;
}

/** What the transform produced, before the summary is built. */
export interface TransformOutcome {
  reports: InputReport[];
  parts: PartInfo[];
  rejectedFiles: PartInfo[];
}

const DEFAULT_BATCH_BYTES = 4 << 20;
/** A batch ends at the first record end past its target: room for a long last record. */
const BATCH_SLACK_BYTES = 256 << 10;
/** Compressed clean output held in memory before it waits in a temporary file. */
const CLEAN_MEMORY_BYTES = 64 << 20;

interface InFlight {
  input: number;
  batch: InputBatch;
  result: Promise<BatchResult>;
  /** The result is in: handling it comes before helping the workers. */
  done: boolean;
}

/**
 * The transform engine, the one for every worker count: the main thread reads each input,
 * cuts it into batches of whole records and hands them to `workers - 1` worker threads
 * ({@link BatchTransformer}), transforming a batch itself when they are all busy or still
 * starting (always, with no worker); results are taken in input order, and the main thread
 * dedups them ({@link SpillingDedup}), writes rejected rows, and hands the clean ones to
 * compression on libuv's thread pool ({@link BlockPartWriter}).
 */
export async function transformParallel(objects: readonly InputObject[], output: RunOutput, options: ParallelTransformOptions): Promise<TransformOutcome> {
  const batchBytes = options.batchBytes ?? DEFAULT_BATCH_BYTES;
  const maxInFlight = 2 * options.workers + 2;
  // Slots for the batches in flight, the one being filled and the one held back by inputBatches.
  const pool = new BatchWorkerPool(options.workers - 1, { maxFieldBytes: options.maxFieldBytes }, maxInFlight + 2, batchBytes + BATCH_SLACK_BYTES);
  // Generated and real inputs run at 60-100 bytes a row; an estimate on the high side costs little.
  const inputBytes = objects.reduce((n, o) => n + o.size, 0);
  const dedup = new SpillingDedup({ budgetBytes: options.memoryBudgetBytes, spillDir: options.spillDir, expectedLines: Math.ceil(inputBytes / 64) });
  const clean = new BlockPartWriter(output, {
    dir: "clean",
    header: options.cleanHeader,
    compression: options.compression,
    gzipLevel: options.gzipLevel,
    partBytes: options.partBytes,
    slices: options.slices,
    concurrency: options.workers,
    memoryBytes: CLEAN_MEMORY_BYTES,
    spillDir: options.spillDir,
  });
  const rejected = new StreamPartWriter(output, {
    dir: "rejected",
    header: options.rejectedHeader,
    partBytes: options.partBytes,
    compression: options.compression,
    gzipLevel: options.gzipLevel,
  });
  const counts: RecordCounts[] = objects.map(() => emptyCounts());
  const nextLine: number[] = objects.map(() => 1);
  const inFlight: InFlight[] = [];
  let rowsRead = 0;
  let bytesBefore = 0;
  let bytesNow = 0;

  const handleOldest = async () => {
    const { input, batch, result } = inFlight.shift()!;
    const r = await result;
    const c = counts[input]!;
    const base = batch.firstLine ?? nextLine[input]!;
    nextLine[input] = base + r.lineFeeds;
    c.rowsRead += r.rowsRead;
    rowsRead += r.rowsRead;
    if (r.rejected.length > 0) {
      c.rejected += r.rejected.length;
      for (const [reason, n] of Object.entries(r.rejectedByReason)) c.rejectedByReason[reason] = (c.rejectedByReason[reason] ?? 0) + n;
      await rejected.write(r.rejected.map((row, k) => `${base + r.rejectedLines[k]!},${row}`).join(""), r.rejected.length);
    }
    const offered = dedup.offer(r.clean, r.cleanEnds, r.hashes, input);
    // The set copied what it keeps: the batch's slot is free again.
    pool.release(batch);
    c.clean += offered.keptRows;
    c.duplicates += offered.duplicates;
    for (const block of offered.kept) await clean.write(block.lines, block.rows);
    options.onProgress?.(bytesBefore + bytesNow, rowsRead);
  };

  try {
    const reads: { bytes: number; sha256: string }[] = [];
    for (let i = 0; i < objects.length; i++) {
      const object = objects[i]!;
      const { chunks, measure } = measured(object.open());
      const badGzip = (e: unknown) =>
        e instanceof EtlError ? e : new EtlError("INPUT_UNREADABLE", `not a readable gzip stream: ${(e as Error).message}`, { file: object.uri }, { cause: e });
      const counted = (async function* () {
        for await (const chunk of decompressIfGzip(chunks, badGzip)) {
          bytesNow = measure.bytes;
          yield chunk;
        }
      })();
      try {
        for await (const batch of inputBatches(counted, object.uri, batchBytes, (bytes) => pool.slots.take(bytes), options.maxRecordBytes)) {
          // The main thread's own work (dedup, output) comes first: it helps transform only when no result is waiting.
          const mayHelp = inFlight.length === 0 || !inFlight[0]!.done;
          const entry: InFlight = { input: i, batch, result: pool.transform(batch, mayHelp), done: false };
          entry.result.then(
            () => (entry.done = true),
            () => {}, // settled here too: a run that fails may leave batches not awaited yet
          );
          inFlight.push(entry);
          while (inFlight.length > 0 && (inFlight.length >= maxInFlight || inFlight[0]!.done)) await handleOldest();
        }
      } catch (error) {
        if (!(error instanceof RecordTooLong) || !("lineFeedsIntoRegion" in error.where)) throw error;
        // The batches before the record give the line its bytes start at.
        while (inFlight.length > 0) await handleOldest();
        const line = (error.where.regionLine ?? nextLine[i]!) + error.where.lineFeedsIntoRegion;
        throw recordTooLongError(object.uri, line, error.limit);
      }
      reads.push({ bytes: measure.bytes, sha256: measure.sha256() });
      bytesBefore += measure.bytes;
      bytesNow = 0;
    }
    while (inFlight.length > 0) await handleOldest();
    // Lines that spilled are decided last; they follow every line kept in memory.
    const drained = await dedup.drain((lines, rows) => clean.write(lines, rows), pool.partitionHelpers());
    counts.forEach((c, i) => {
      c.clean += drained.keptByInput[i] ?? 0;
      c.duplicates += drained.duplicatesByInput[i] ?? 0;
    });
    const parts = await clean.close();
    const rejectedFiles = await rejected.close();
    const reports = objects.map((object, i) => ({
      uri: object.uri,
      bytes: reads[i]!.bytes,
      sha256: reads[i]!.sha256,
      ...(object.etag ? { etag: object.etag } : {}),
      counts: counts[i]!,
    }));
    return { reports, parts, rejectedFiles };
  } catch (error) {
    const reason = error instanceof Error ? error : new Error(String(error));
    rejected.abort(reason);
    await clean.abort();
    throw error;
  } finally {
    dedup.close();
    await pool.close();
  }
}
