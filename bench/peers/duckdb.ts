/**
 * Peer: the transform in DuckDB through @duckdb/node-api, written for speed: read_csv once
 * into a table of judged rows (rows with too many columns land in DuckDB's reject table),
 * then one COPY per output; the clean count is what the COPY reports, the rest one GROUP BY.
 * Trim is a regular expression over the job's white-space class: DuckDB's `trim(s, chars)`
 * with that many multi-byte characters took twice as long on the same file.
 * Usage: duckdb.ts <input.csv> <outDir> csv|gzip
 */
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { MAX_FIELD_BYTES, peerArgs, REASONS, TRIM_CHARACTERS, type ProgramReport } from "./transform-spec.ts";

const { input, outDir, kind } = peerArgs(process.argv.slice(2));
const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
const target = (name: string) => literal(join(outDir, kind === "gzip" ? `${name}.csv.gz` : `${name}.csv`));
const copyOptions = kind === "gzip" ? "FORMAT csv, HEADER, COMPRESSION gzip" : "FORMAT csv, HEADER";
/** RE2 class of the trim characters, each as `\x{…}`. */
const space = `[${[...TRIM_CHARACTERS].map((c) => `\\x{${c.codePointAt(0)!.toString(16)}}`).join("")}]`;
const norm = (c: string) => `lower(regexp_replace(coalesce(${c}, ''), '^${space}+|${space}+$', '', 'g'))`;

const db = await DuckDBInstance.create(":memory:");
const con = await db.connect();
// The reader keeps input order; row_number() over it is the first-seen order.
await con.run(`
  CREATE TEMP TABLE judged AS
  SELECT rn, raw_key, raw_data, k, d, CASE
    WHEN k = '' AND d = '' THEN ${literal(REASONS.empty)}
    WHEN k = '' THEN ${literal(REASONS.keyRequired)}
    WHEN d = '' THEN ${literal(REASONS.dataRequired)}
    WHEN strlen(k) > ${MAX_FIELD_BYTES} THEN ${literal(REASONS.keyTooLong)}
    WHEN strlen(d) > ${MAX_FIELD_BYTES} THEN ${literal(REASONS.dataTooLong)}
  END AS reason
  FROM (
    SELECT row_number() OVER () AS rn, Key AS raw_key, Data AS raw_data, ${norm("Key")} AS k, ${norm("Data")} AS d
    FROM read_csv(${literal(input)}, header = true, columns = {'Key': 'VARCHAR', 'Data': 'VARCHAR'}, auto_detect = false,
                  delim = ',', quote = '"', escape = '"', ignore_errors = true, store_rejects = true)
  )`);
const copied = async (sql: string) => Number((await con.runAndReadAll(sql)).getRows()[0]![0]);
const clean = await copied(`
  COPY (
    SELECT k AS key, d AS data FROM judged WHERE reason IS NULL GROUP BY k, d ORDER BY min(rn)
  ) TO ${target("clean")} (${copyOptions})`);
await con.run(`
  COPY (
    SELECT rn AS line, raw_key AS key, raw_data AS data, reason FROM judged WHERE reason IS NOT NULL
    UNION ALL
    SELECT line, csv_line, NULL, ${literal(REASONS.tooManyFields)} FROM reject_errors
  ) TO ${target("rejected")} (${copyOptions})`);

const byReason: Record<string, number> = {};
let rows = 0;
for (const [reason, n] of (await con.runAndReadAll(`SELECT reason, count(*) FROM judged GROUP BY reason`)).getRows()) {
  rows += Number(n);
  if (reason !== null) byReason[String(reason)] = Number(n);
}
const valid = rows - Object.values(byReason).reduce((a, b) => a + b, 0);
const tooMany = Number((await con.runAndReadAll(`SELECT count(*) FROM reject_errors`)).getRows()[0]![0]);
if (tooMany > 0) byReason[REASONS.tooManyFields] = tooMany;
const report: ProgramReport = {
  rowsRead: rows + tooMany,
  clean,
  duplicates: valid - clean,
  rejected: rows - valid + tooMany,
  rejectedByReason: byReason,
  maxRssKiB: process.resourceUsage().maxRSS,
};
process.stdout.write(JSON.stringify(report) + "\n");
