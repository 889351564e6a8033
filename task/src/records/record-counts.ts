/** Counts of one input (or of a whole run, when summed). */
export interface RecordCounts {
  rowsRead: number;
  clean: number;
  duplicates: number;
  rejected: number;
  /** Reason → number of rejected rows. */
  rejectedByReason: Record<string, number>;
}

/** Counts of nothing read yet. */
export function emptyCounts(): RecordCounts {
  return { rowsRead: 0, clean: 0, duplicates: 0, rejected: 0, rejectedByReason: {} };
}
