/**
 * The transform every benchmarked program does, as constants the peers share, so each one
 * follows the job's rules where its engine can express them. Spelled out rather than imported
 * from the job, so a peer's start-up does not load the job's modules; a test checks they agree.
 */

/** What `String.prototype.trim` removes (the job's trim): ASCII and Unicode white space and line terminators. */
export const TRIM_CHARACTERS =
  "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";

/** The job's default field limit (Redshift's VARCHAR maximum), in bytes. */
export const MAX_FIELD_BYTES = 65535;

/** The reasons, in the job's order of precedence (the engines cannot see quotes or bytes). */
export const REASONS = {
  tooManyFields: "Row has more fields than the header",
  empty: "Record is empty",
  keyRequired: "Field `Key` is required",
  dataRequired: "Field `Data` is required",
  keyTooLong: "Field `Key` is longer than 65535 bytes",
  dataTooLong: "Field `Data` is longer than 65535 bytes",
} as const;

/** What each program prints as the last line of stdout: its counts and its peak memory. */
export interface ProgramReport {
  rowsRead: number;
  clean: number;
  duplicates: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  /** process.resourceUsage().maxRSS, in KiB. */
  maxRssKiB: number;
}

/** Output kinds: plain CSV, or gzip level 6 (the job's default level). */
export type OutputKind = "csv" | "gzip";

/** Parses `<input> <outDir> <kind>` from the command line of a peer. */
export function peerArgs(argv: readonly string[]): { input: string; outDir: string; kind: OutputKind } {
  const [input, outDir, kind] = argv;
  if (!input || !outDir || (kind !== "csv" && kind !== "gzip")) throw new Error("usage: <peer> <input.csv> <outDir> csv|gzip");
  return { input, outDir, kind };
}
