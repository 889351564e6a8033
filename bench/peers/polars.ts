/**
 * Peer: the transform in nodejs-polars, as a data engineer would write it: read_csv, strip,
 * lowercase, reasons with when/then, unique (first, in order), write_csv; gzip through
 * Node's zlib (nodejs-polars writes no compressed CSV).
 * Usage: polars.ts <input.csv> <outDir> csv|gzip
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { MAX_FIELD_BYTES, peerArgs, REASONS, TRIM_CHARACTERS, type ProgramReport } from "./transform-spec.ts";

const { input, outDir, kind } = peerArgs(process.argv.slice(2));
const { default: pl } = await import("nodejs-polars");

// A third column catches rows with more fields than the header (ragged lines are truncated to three).
const raw = pl.readCSV(input, {
  hasHeader: false,
  skipRows: 1,
  schema: { key: pl.Utf8, data: pl.Utf8, extra: pl.Utf8 },
  truncateRaggedLines: true,
  missingIsNull: true,
});
const norm = (c: string) => pl.col(c).fillNull("").str.stripChars(TRIM_CHARACTERS).str.toLowerCase();
const rows = raw.withRowIndex("line", 2).withColumns(norm("key").alias("k"), norm("data").alias("d"));
const k = pl.col("k");
const d = pl.col("d");
const reason = pl
  .when(pl.col("extra").isNotNull())
  .then(pl.lit(REASONS.tooManyFields))
  .when(k.eq(pl.lit("")).and(d.eq(pl.lit(""))))
  .then(pl.lit(REASONS.empty))
  .when(k.eq(pl.lit("")))
  .then(pl.lit(REASONS.keyRequired))
  .when(d.eq(pl.lit("")))
  .then(pl.lit(REASONS.dataRequired))
  // nodejs-polars counts characters, not bytes: the limit binds later for non-ASCII values.
  .when(k.str.lengths().gt(MAX_FIELD_BYTES))
  .then(pl.lit(REASONS.keyTooLong))
  .when(d.str.lengths().gt(MAX_FIELD_BYTES))
  .then(pl.lit(REASONS.dataTooLong))
  .otherwise(pl.lit(null))
  .alias("reason");
const judged = rows.withColumns(reason);
const valid = judged.filter(pl.col("reason").isNull()).select(k.alias("key"), d.alias("data"));
const clean = valid.unique({ subset: ["key", "data"], keep: "first", maintainOrder: true });
const rejected = judged.filter(pl.col("reason").isNotNull()).select("line", "key", "data", "reason");

const write = async (df: typeof clean, name: string) => {
  if (kind === "csv") {
    df.writeCSV(join(outDir, `${name}.csv`));
    return;
  }
  await writeFile(join(outDir, `${name}.csv.gz`), await promisify(gzip)(df.writeCSV(), { level: 6 }));
};
await write(clean, "clean");
await write(rejected, "rejected");

const byReason: Record<string, number> = {};
for (const r of rejected.groupBy("reason").len().toRecords() as { reason: string; len: number }[]) byReason[r.reason] = Number(r.len);
const report: ProgramReport = {
  rowsRead: raw.height,
  clean: clean.height,
  duplicates: valid.height - clean.height,
  rejected: rejected.height,
  rejectedByReason: byReason,
  maxRssKiB: process.resourceUsage().maxRSS,
};
process.stdout.write(JSON.stringify(report) + "\n");
