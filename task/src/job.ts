import { CsvByteReader } from "./csv/csv-byte-reader.ts";
import { CsvTokenizer } from "./csv/csv-tokenizer.ts";
import { EtlError } from "./errors.ts";
import { decompressIfGzip } from "./input/decompress.ts";
import type { InputObject, InputSource } from "./input/input-source.ts";
import { measured } from "./input/measured.ts";
import { buildCopyManifest } from "./output/copy-manifest.ts";
import { GzipPartWriter } from "./output/gzip-part-writer.ts";
import type { RunOutput } from "./output/run-output.ts";
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
  /** Uncompressed bytes per clean part before rolling to the next. */
  partBytes: number;
  /** gzip level of the parts. */
  gzipLevel: number;
  now?: () => Date;
  onProgress?: (p: Progress) => void;
}

/**
 * Runs the transform: every input object, in order, through the CSV reader, the record
 * schema and dedup into gzip parts; then checks the counts and publishes, last, the
 * summary and the COPY manifest. On any failure the unfinished run is discarded.
 */
export async function runJob(options: JobOptions): Promise<RunSummary> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const schema = createRecordSchema({ maxFieldBytes: options.maxFieldBytes });
  const dedup = new Deduplicator();
  const partOptions = { partBytes: options.partBytes, gzipLevel: options.gzipLevel };
  const clean = new GzipPartWriter(options.output, { dir: "clean", header: CLEAN_HEADER, ...partOptions });
  const rejected = new GzipPartWriter(options.output, { dir: "rejected", header: REJECTED_HEADER, ...partOptions });
  try {
    const objects = await options.input.list();
    const totalBytes = objects.reduce((n, o) => n + o.size, 0);
    const reports: InputReport[] = [];
    let bytesBefore = 0;
    let rowsBefore = 0;
    for (const object of objects) {
      const report = await transformObject(object, schema, dedup, clean, rejected, (bytes, rows) =>
        options.onProgress?.({ bytesRead: bytesBefore + bytes, totalBytes, rowsRead: rowsBefore + rows }),
      );
      reports.push(report);
      bytesBefore += report.bytes;
      rowsBefore += report.counts.rowsRead;
    }
    const parts = await clean.close();
    const rejectedFiles = await rejected.close();
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
    const reason = error instanceof Error ? error : new Error(String(error));
    clean.abort(reason);
    rejected.abort(reason);
    await options.output.discard().catch(() => {});
    throw error;
  }
}

async function transformObject(
  object: InputObject,
  schema: RecordSchema,
  dedup: Deduplicator,
  clean: GzipPartWriter,
  rejected: GzipPartWriter,
  progress: (bytes: number, rows: number) => void,
): Promise<InputReport> {
  const processor = new RecordProcessor(schema, dedup, object.uri);
  const reader = new CsvByteReader(new CsvTokenizer(processor.onRow));
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
  for await (const chunk of decompressIfGzip(chunks, badGzip)) {
    reader.push(chunk);
    await flush();
    progress(measure.bytes, processor.counts.rowsRead);
  }
  reader.end();
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
