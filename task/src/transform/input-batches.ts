import { missingHeader, resolveHeader, type ColumnLayout } from "../records/header.ts";
import { findHeader, RecordSplitter } from "../records/record-splitter.ts";
import { MAX_RECORD_BYTES, RecordTooLong } from "../records/record-limit.ts";
import { LF, textRecords } from "../records/rfc4180.ts";

/** A batch of whole records of one input, ready for {@link BatchTransformer}. */
export interface InputBatch {
  bytes: Buffer;
  layout: ColumnLayout;
  /** The input's last batch: it may end without a line feed, or inside a quote. */
  final: boolean;
  /**
   * Line of the batch's first byte, on the input's first batch of records; later batches
   * start where the one before ended (its line feeds, counted by the transform).
   */
  firstLine?: number;
}

/**
 * One input's bytes as batches of whole records, about `targetBytes` each, with the header
 * read off the front (blank lines before it skipped).
 * @throws EtlError BAD_HEADER when the input has no header, or one without Key and Data.
 * @throws RecordTooLong when a record passes `maxRecordBytes`, after yielding every batch
 *   before it (so the caller can count the lines up to it).
 */
export async function* inputBatches(
  chunks: AsyncIterable<Buffer>,
  file: string,
  targetBytes: number,
  /** Memory for a batch (a shared slot), or undefined to use memory of its own. */
  memoryFor: (bytes: number) => Buffer | undefined = () => undefined,
  maxRecordBytes = MAX_RECORD_BYTES,
): AsyncGenerator<InputBatch> {
  const allocate = (bytes: number) => memoryFor(bytes) ?? Buffer.allocUnsafeSlow(bytes);
  const splitter = new RecordSplitter(targetBytes, allocate, maxRecordBytes);
  let layout: ColumnLayout | undefined;
  let linesBefore = 0;
  let firstLine: number | undefined;
  // The first batch is held back until the next exists, to know whether it is the last.
  let held: Buffer | undefined;
  const emit = function* (bytes: Buffer, final: boolean): Generator<InputBatch> {
    if (layout === undefined) {
      const header = findHeader(bytes, final);
      if (header === undefined) {
        if (final) throw missingHeader(file);
        // Only blank lines so far.
        for (let i = bytes.indexOf(LF); i !== -1; i = bytes.indexOf(LF, i + 1)) linesBefore++;
        return;
      }
      const line = 1 + linesBefore + header.lineFeedsBefore;
      layout = readHeader(bytes.subarray(header.start, header.end), file, line);
      firstLine = line;
      for (let i = bytes.indexOf(LF, header.start); i !== -1 && i < header.end; i = bytes.indexOf(LF, i + 1)) firstLine++;
      if (header.end === bytes.length && !final) return;
      bytes = ownedCopy(bytes.subarray(header.end), allocate);
    }
    const batch: InputBatch = { bytes, layout, final };
    if (firstLine !== undefined) {
      batch.firstLine = firstLine;
      firstLine = undefined;
    }
    yield batch;
  };
  /** A record past the limit: its limit, and line feeds from the start of the bytes the splitter held to it. */
  type TooLong = { limit: number; lineFeedsIntoRegion: number };
  /** Batches from the splitter, or the record past the limit (the splitter gave every batch before it already). */
  const split = (next: () => Buffer[]): { batches: Buffer[]; tooLong?: TooLong } => {
    try {
      return { batches: next() };
    } catch (error) {
      if (!(error instanceof RecordTooLong) || !("lineFeedsIntoRegion" in error.where)) throw error;
      return { batches: [], tooLong: { limit: error.limit, lineFeedsIntoRegion: error.where.lineFeedsIntoRegion } };
    }
  };
  /** Emits what is held, then throws with where the bytes the splitter held start, when that is known here. */
  const stop = function* ({ limit, lineFeedsIntoRegion }: TooLong): Generator<InputBatch, never> {
    if (held) yield* emit(held, false);
    // Those bytes start at the input's start (no header yet), right after the header, or after the last batch.
    const regionLine = layout === undefined ? 1 + linesBefore : firstLine;
    throw new RecordTooLong(limit, { lineFeedsIntoRegion, ...(regionLine !== undefined ? { regionLine } : {}) });
  };
  for await (const chunk of chunks) {
    const { batches, tooLong } = split(() => splitter.push(chunk));
    for (const bytes of batches) {
      if (held) yield* emit(held, false);
      held = bytes;
    }
    if (tooLong) yield* stop(tooLong);
  }
  const { batches: rest, tooLong } = split(() => [splitter.end()]);
  if (tooLong) yield* stop(tooLong);
  const last = rest[0]!;
  if (held) {
    if (last.length === 0) {
      yield* emit(held, true);
      return;
    }
    yield* emit(held, false);
  }
  yield* emit(last, true);
  if (layout === undefined) throw missingHeader(file);
}

/** A copy in memory of its own (never Node's shared pool), so it can be transferred to a worker. */
function ownedCopy(bytes: Buffer, allocate: (n: number) => Buffer): Buffer {
  const copy = allocate(bytes.length);
  bytes.copy(copy);
  return copy;
}

/** Reads the header record (its fields as UTF-8 text) and finds the columns in it. */
function readHeader(bytes: Buffer, file: string, line: number): ColumnLayout {
  const [header] = textRecords(bytes, true).records;
  return resolveHeader(header?.fields ?? [], file, line);
}
