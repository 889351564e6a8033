import { tmpdir } from "node:os";
import { CsvByteReader } from "./csv/csv-byte-reader.ts";
import { CsvTokenizer } from "./csv/csv-tokenizer.ts";
import { MAX_RECORD_BYTES, RecordTooLong, recordTooLongError } from "./csv/record-limit.ts";
import { EtlError } from "./errors.ts";
import { decompressIfGzip } from "./input/decompress.ts";
import type { InputObject, InputSource } from "./input/input-source.ts";
import { measured } from "./input/measured.ts";
import { buildCopyManifest } from "./output/copy-manifest.ts";
import { GzipPartWriter } from "./output/gzip-part-writer.ts";
import type { RunOutput } from "./output/run-output.ts";
import { transformParallel, type TransformOutcome } from "./parallel/parallel-transform.ts";
import { Deduplicator } from "./record/dedup.ts";
import { RecordProcessor, emptyCounts } from "./record/record-processor.ts";
import { createRecordSchema, type RecordSchema } from "./record/record-schema.ts";
import { addCounts, checkInvariant, type InputReport, type RunSummary } from "./summary.ts";

/** Header of the clean part files. */
export const CLEAN_HEADER = "key,data\n";
/** Header of the rejected files. */
export const REJECTED_HEADER = "line,key,data,reason\n";
export const SUMMARY_FILE = "summary.json";
export const MANIFEST_FILE = "manifest.json";

/** Progress of a run, reported after each chunk. */
export interface Progress {
  /** Raw bytes read so far, over all inputs. */
  bytesRead: number;
  /** Raw bytes of all inputs. */
  totalBytes: number;
  rowsRead: number;
}

/** Everything a run needs; built by the composition root. */
export interface JobOptions {
  runId: string;
  input: InputSource;
  output: RunOutput;
  /** Largest accepted field, UTF-8 bytes. */
  maxFieldBytes: number;
  /**
   * Uncompressed bytes per clean part before rolling to the next. On the parallel path, the
   * most a part should hold: more parts are made (in multiples of `sliceCount`) to stay under it.
   */
  partBytes: number;
  /** gzip level of the parts: 1 (fast) to 9 (small); 0 stores the data uncompressed in gzip framing. */
  gzipLevel: number;
  now?: () => Date;
  onProgress?: (p: Progress) => void;
  /**
   * Threads that parse, normalise and validate, the main thread included. 1 runs the simple
   * path: everything on the main thread, dedup in an unbounded in-memory set, parts rolled by
   * size. 2 or more run the parallel path (byte for byte the same clean rows) on the main
   * thread and `workers - 1` worker threads; its dedup keeps to `memoryBudgetBytes`, and its
   * clean parts come in multiples of `sliceCount`. Default 1; see `defaultWorkers` in
   * parallel/sizing.ts for the value to pass (the CPUs the task has).
   */
  workers?: number;
  /**
   * Parallel path: memory the dedup set may use, in bytes; past it, lines not seen yet spill
   * to `spillDir` and are deduplicated there, partition by partition. Default 512 MiB; see
   * `defaultMemoryBudget` in parallel/sizing.ts.
   */
  memoryBudgetBytes?: number;
  /** Parallel path: the number of clean parts is a multiple of this (Redshift's slices). Default 1. */
  sliceCount?: number;
  /** Parallel path: local folder for spill and temporary files. Default: the OS temporary folder. */
  spillDir?: string;
  /** Parallel path: input bytes per batch handed to a worker. Default 4 MiB; small values are for tests. */
  batchBytes?: number;
  /** The longest record read before the run stops with RECORD_TOO_LONG. Default {@link MAX_RECORD_BYTES}; small values are for tests. */
  maxRecordBytes?: number;
}

/** Default of {@link JobOptions.memoryBudgetBytes}. */
export const DEFAULT_MEMORY_BUDGET_BYTES = 512 << 20;

/**
 * Runs the transform: every input object, in order, through the CSV reader, the record
 * schema and dedup into gzip parts; then checks the counts and publishes, last, the
 * summary and the COPY manifest. On any failure the unfinished run is discarded.
 */
export async function runJob(options: JobOptions): Promise<RunSummary> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const workers = options.workers ?? 1;
  const maxRecordBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
  try {
    const objects = await options.input.list();
    const totalBytes = objects.reduce((n, o) => n + o.size, 0);
    const onProgress = options.onProgress;
    const progress = onProgress ? (bytesRead: number, rowsRead: number) => onProgress({ bytesRead, totalBytes, rowsRead }) : undefined;
    const { reports, parts, rejectedFiles } =
      workers > 1
        ? await transformParallel(objects, options.output, {
            workers,
            maxFieldBytes: options.maxFieldBytes,
            partBytes: options.partBytes,
            gzipLevel: options.gzipLevel,
            slices: options.sliceCount ?? 1,
            memoryBudgetBytes: options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES,
            spillDir: options.spillDir ?? tmpdir(),
            cleanHeader: CLEAN_HEADER,
            rejectedHeader: REJECTED_HEADER,
            ...(options.batchBytes ? { batchBytes: options.batchBytes } : {}),
            maxRecordBytes,
            ...(progress ? { onProgress: progress } : {}),
          })
        : await transformSimple(objects, options, maxRecordBytes, progress);
    const counts = reports.reduce((sum, r) => addCounts(sum, r.counts), emptyCounts());
    const sum = (ps: typeof parts) => ps.reduce((n, p) => n + p.rows, 0);
    checkInvariant(counts, sum(parts), sum(rejectedFiles));
    const finishedAt = now();
    const summary: RunSummary = {
      runId: options.runId,
      status: "succeeded",
      ...counts,
      inputs: reports,
      output: options.output.location,
      parts,
      rejectedFiles,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    };
    const manifest = buildCopyManifest(parts.map((p) => ({ url: options.output.urlOf(p.relPath), bytes: p.bytes })));
    await options.output.publish([
      { relPath: MANIFEST_FILE, body: JSON.stringify(manifest, null, 2) + "\n" },
      { relPath: SUMMARY_FILE, body: JSON.stringify(summary, null, 2) + "\n" },
    ]);
    return summary;
  } catch (error) {
    await options.output.discard().catch(() => {});
    throw error;
  }
}

/** The simple path: every input in order on the main thread, gzip on libuv's thread pool. */
async function transformSimple(
  objects: readonly InputObject[],
  options: JobOptions,
  maxRecordBytes: number,
  progress: ((bytes: number, rows: number) => void) | undefined): Promise<TransformOutcome> {
  const schema = createRecordSchema({ maxFieldBytes: options.maxFieldBytes });
  const dedup = new Deduplicator();
  const partOptions = { partBytes: options.partBytes, gzipLevel: options.gzipLevel };
  const clean = new GzipPartWriter(options.output, { dir: "clean", header: CLEAN_HEADER, ...partOptions });
  const rejected = new GzipPartWriter(options.output, { dir: "rejected", header: REJECTED_HEADER, ...partOptions });
  try {
    const reports: InputReport[] = [];
    let bytesBefore = 0;
    let rowsBefore = 0;
    for (const object of objects) {
      const onProgress = (bytes: number, rows: number) => progress?.(bytesBefore + bytes, rowsBefore + rows);
      const report = await transformObject(object, schema, dedup, clean, rejected, maxRecordBytes, onProgress);
      reports.push(report);
      bytesBefore += report.bytes;
      rowsBefore += report.counts.rowsRead;
    }
    const parts = await clean.close();
    const rejectedFiles = await rejected.close();
    return { reports, parts, rejectedFiles };
  } catch (error) {
    const reason = error instanceof Error ? error : new Error(String(error));
    clean.abort(reason);
    rejected.abort(reason);
    throw error;
  }
}

async function transformObject(
  object: InputObject,
  schema: RecordSchema,
  dedup: Deduplicator,
  clean: GzipPartWriter,
  rejected: GzipPartWriter,
  maxRecordBytes: number,
  progress: (bytes: number, rows: number) => void,
): Promise<InputReport> {
  const processor = new RecordProcessor(schema, dedup, object.uri);
  const reader = new CsvByteReader(new CsvTokenizer(processor.onRow, maxRecordBytes), maxRecordBytes);
  const { chunks, measure } = measured(object.open());
  const badGzip = (e: unknown) =>
    e instanceof EtlError ? e : new EtlError("INPUT_UNREADABLE", `not a readable gzip stream: ${(e as Error).message}`, { file: object.uri }, { cause: e });
  let cleanSoFar = 0;
  let rejectedSoFar = 0;
  const flush = async () => {
    const c = processor.counts;
    await clean.write(processor.takeClean(), c.clean - cleanSoFar);
    await rejected.write(processor.takeRejected(), c.rejected - rejectedSoFar);
    cleanSoFar = c.clean;
    rejectedSoFar = c.rejected;
  };
  const tooLong = (e: unknown) => (e instanceof RecordTooLong && "line" in e.where ? recordTooLongError(object.uri, e.where.line, e.limit) : e);
  try {
    for await (const chunk of decompressIfGzip(chunks, badGzip)) {
      reader.push(chunk);
      await flush();
      progress(measure.bytes, processor.counts.rowsRead);
    }
    reader.end();
  } catch (error) {
    throw tooLong(error);
  }
  processor.assertHeaderSeen();
  await flush();
  progress(measure.bytes, processor.counts.rowsRead);
  return {
    uri: object.uri,
    bytes: measure.bytes,
    sha256: measure.sha256(),
    ...(object.etag ? { etag: object.etag } : {}),
    counts: { ...processor.counts, rejectedByReason: { ...processor.counts.rejectedByReason } },
  };
}
