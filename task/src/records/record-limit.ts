import { EtlError } from "../errors.ts";

/**
 * The longest record the job reads: 64 MiB of input bytes, on every worker count (the record
 * splitter notices once a record runs this far past the point where its batch could have
 * ended, so at most one batch, 4 MiB, later). Past it the run stops
 * with RECORD_TOO_LONG naming the line where the record starts. A real record is a key and a
 * value of at most 64 KiB each; one this long is a quote left open (the rest of the file would
 * become one field) or a file without line feeds, and holding it would make memory grow with
 * the file.
 */
export const MAX_RECORD_BYTES = 64 << 20;

/**
 * Thrown by the record splitter when a record passes the limit. It knows neither the file nor
 * the line: it gives the line feeds between the start of the bytes it holds (a record
 * boundary) and the start of the record; whoever knows that start's line adds it.
 */
export class RecordTooLong extends Error {
  constructor(
    readonly limit: number,
    /**
     * The record's line (once known); or the line feeds from the start of the bytes the splitter held to
     * the record's start, and that start's line when the reader knows it (else the
     * transform does, once the batches before are done).
     */
    readonly where: { line: number } | { lineFeedsIntoRegion: number; regionLine?: number },
  ) {
    super(`a record runs past ${limit} bytes`);
  }
}

/** The error a run fails with. */
export function recordTooLongError(file: string, line: number, limit: number): EtlError {
  return new EtlError("RECORD_TOO_LONG", `the record starting here runs past ${limit} bytes: a quote left open, or no line feeds; nothing was published`, { file, line });
}
