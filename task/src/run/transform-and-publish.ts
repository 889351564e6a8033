import { tmpdir } from "node:os";
import { MAX_RECORD_BYTES } from "../records/record-limit.ts";
import type { InputSource } from "../source/input-source.ts";
import type { Compression } from "../sinks/codec.ts";
import { buildCopyManifest } from "../sinks/copy-manifest.ts";
import type { RunOutput } from "../sinks/run-output.ts";
import { transformParallel } from "../transform/parallel-transform.ts";
import { emptyCounts } from "../records/record-counts.ts";
import { addCounts, checkInvariant, type RunSummary } from "./summary.ts";

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
   * The most uncompressed bytes a clean part should hold: more parts are made (in multiples
   * of `sliceCount`) to stay under it. Rejected files roll to the next past it.
   */
  partBytes: number;
  /**
   * Codec of the clean and rejected parts (sinks/codec.ts): their names end `.csv.gz`, `.csv.zst`
   * or `.csv`, which is how a load knows it. Default gzip.
   */
  compression?: Compression;
  /** With gzip: its level, 1 (fast) to 9 (small); 0 stores the data uncompressed in gzip framing. */
  gzipLevel: number;
  now?: () => Date;
  onProgress?: (p: Progress) => void;
  /**
   * Threads that parse, normalise and validate, the main thread included: the main thread
   * and `workers - 1` worker threads run the same engine (1: the main thread alone, no
   * worker started), so every other option means the same whatever the count. Decided once,
   * by `sizeRun` in config/sizing.ts (the composition root passes it).
   */
  workers: number;
  /**
   * Memory the dedup set may use, in bytes; past it, lines not seen yet spill to `spillDir`
   * and are deduplicated there, partition by partition. Decided once, by `sizeRun` in
   * config/sizing.ts.
   */
  memoryBudgetBytes: number;
  /** The number of clean parts is a multiple of this (Redshift's slices). Default 1. */
  sliceCount?: number;
  /** Local folder for spill and temporary files. Default: the OS temporary folder. */
  spillDir?: string;
  /** Input bytes per batch handed to a thread. Default 4 MiB; small values are for tests. */
  batchBytes?: number;
  /** The longest record read before the run stops with RECORD_TOO_LONG. Default {@link MAX_RECORD_BYTES}; small values are for tests. */
  maxRecordBytes?: number;
}

/**
 * Runs the transform ({@link transformParallel}): every input object, in order, through the
 * record splitter, the batch transform and dedup into compressed parts; then checks the counts and publishes, last, the
 * summary and the COPY manifest. On any failure the unfinished run is discarded.
 */
export async function transformAndPublish(options: JobOptions): Promise<RunSummary> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const maxRecordBytes = options.maxRecordBytes ?? MAX_RECORD_BYTES;
  try {
    const objects = await options.input.list();
    const totalBytes = objects.reduce((n, o) => n + o.size, 0);
    const onProgress = options.onProgress;
    const progress = onProgress ? (bytesRead: number, rowsRead: number) => onProgress({ bytesRead, totalBytes, rowsRead }) : undefined;
    const { reports, parts, rejectedFiles } = await transformParallel(objects, options.output, {
      workers: options.workers,
      maxFieldBytes: options.maxFieldBytes,
      partBytes: options.partBytes,
      compression: options.compression ?? "gzip",
      gzipLevel: options.gzipLevel,
      slices: options.sliceCount ?? 1,
      memoryBudgetBytes: options.memoryBudgetBytes,
      spillDir: options.spillDir ?? tmpdir(),
      cleanHeader: CLEAN_HEADER,
      rejectedHeader: REJECTED_HEADER,
      ...(options.batchBytes ? { batchBytes: options.batchBytes } : {}),
      maxRecordBytes,
      ...(progress ? { onProgress: progress } : {}),
    });
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
