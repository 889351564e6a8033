import { EtlError } from "../errors.ts";
import type { PartInfo } from "../sinks/stream-part-writer.ts";
import type { RecordCounts } from "../records/record-counts.ts";

/** What the summary records of each input object. */
export interface InputReport {
  uri: string;
  bytes: number;
  sha256: string;
  etag?: string;
  /** This input's counts. */
  counts: RecordCounts;
}

/** `summary.json`, also printed as the last line of stdout. */
export interface RunSummary extends RecordCounts {
  runId: string;
  status: "succeeded";
  inputs: InputReport[];
  output: string;
  parts: PartInfo[];
  rejectedFiles: PartInfo[];
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

/** Adds `b`'s counts into `a`. */
export function addCounts(a: RecordCounts, b: RecordCounts): RecordCounts {
  const rejectedByReason = { ...a.rejectedByReason };
  for (const [reason, n] of Object.entries(b.rejectedByReason)) rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + n;
  return {
    rowsRead: a.rowsRead + b.rowsRead,
    clean: a.clean + b.clean,
    duplicates: a.duplicates + b.duplicates,
    rejected: a.rejected + b.rejected,
    rejectedByReason,
  };
}

/**
 * Nothing is lost: every row read is clean, a duplicate or rejected, the reasons add up to
 * the rejected count, and the parts hold exactly the clean rows.
 * @throws EtlError INVARIANT_BROKEN, before anything is published.
 */
export function checkInvariant(counts: RecordCounts, cleanRowsInParts: number, rejectedRowsInFiles: number): void {
  const problems: string[] = [];
  const accounted = counts.clean + counts.duplicates + counts.rejected;
  if (counts.rowsRead !== accounted) {
    problems.push(`rowsRead ${counts.rowsRead} != clean ${counts.clean} + duplicates ${counts.duplicates} + rejected ${counts.rejected}`);
  }
  const byReason = Object.values(counts.rejectedByReason).reduce((n, c) => n + c, 0);
  if (byReason !== counts.rejected) problems.push(`rejectedByReason sums to ${byReason}, rejected is ${counts.rejected}`);
  if (cleanRowsInParts !== counts.clean) problems.push(`clean parts hold ${cleanRowsInParts} rows, clean is ${counts.clean}`);
  if (rejectedRowsInFiles !== counts.rejected) problems.push(`rejected files hold ${rejectedRowsInFiles} rows, rejected is ${counts.rejected}`);
  if (problems.length) throw new EtlError("INVARIANT_BROKEN", `counts do not add up: ${problems.join("; ")}`);
}
