/**
 * Peer: the transform in DuckDB through @duckdb/node-api: read_csv into a table (rows with
 * too many columns land in DuckDB's reject table), then one query per output, each a COPY.
 * Usage: duckdb.ts <input.csv> <outDir> csv|gzip
 */
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { MAX_FIELD_BYTES, peerArgs, REASONS, TRIM_CHARACTERS, type ProgramReport } from "./transform-spec.ts";

const { input, outDir, kind } = peerArgs(process.argv.slice(2));
const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
const target = (name: string) => literal(join(outDir, kind === "gzip" ? `${name}.csv.gz` : `${name}.csv`));
const copyOptions = kind === "gzip" ? "FORMAT csv, HEADER, COMPRESSION gzip" : "FORMAT csv, HEADER";
const trim = (c: string) => `lower(trim(coalesce(${c}, ''), ${literal(TRIM_CHARACTERS)}))`;

const db = await DuckDBInstance.create(":memory:");
const con = await db.connect();
// The parallel reader keeps input order; row_number() over it is the first-seen order.
await con.run(`
  CREATE TEMP TABLE rows AS
  SELECT row_number() OVER () AS rn, Key AS raw_key, Data AS raw_data, ${trim("Key")} AS k, ${trim("Data")} AS d
  FROM read_csv(${literal(input)}, header = true, columns = {'Key': 'VARCHAR', 'Data': 'VARCHAR'}, auto_detect = false,
                delim = ',', quote = '"', escape = '"', ignore_errors = true, store_rejects = true)`);
await con.run(`
  CREATE TEMP TABLE judged AS
  SELECT *, CASE
    WHEN k = '' AND d = '' THEN ${literal(REASONS.empty)}
    WHEN k = '' THEN ${literal(REASONS.keyRequired)}
    WHEN d = '' THEN ${literal(REASONS.dataRequired)}
    WHEN strlen(k) > ${MAX_FIELD_BYTES} THEN ${literal(REASONS.keyTooLong)}
    WHEN strlen(d) > ${MAX_FIELD_BYTES} THEN ${literal(REASONS.dataTooLong)}
  END AS reason
  FROM rows`);
await con.run(`
  COPY (
    SELECT k AS key, d AS data FROM (SELECT k, d, min(rn) AS first FROM judged WHERE reason IS NULL GROUP BY k, d) ORDER BY first
  ) TO ${target("clean")} (${copyOptions})`);
await con.run(`
  COPY (
    SELECT rn AS line, raw_key AS key, raw_data AS data, reason FROM judged WHERE reason IS NOT NULL
    UNION ALL
    SELECT line, csv_line, NULL, ${literal(REASONS.tooManyFields)} FROM reject_errors
  ) TO ${target("rejected")} (${copyOptions})`);

const scalar = async (sql: string) => Number((await con.runAndReadAll(sql)).getRows()[0]![0]);
const valid = await scalar(`SELECT count(*) FROM judged WHERE reason IS NULL`);
const clean = await scalar(`SELECT count(*) FROM (SELECT DISTINCT k, d FROM judged WHERE reason IS NULL)`);
const tooMany = await scalar(`SELECT count(*) FROM reject_errors`);
const byReason: Record<string, number> = {};
for (const [reason, n] of (await con.runAndReadAll(`SELECT reason, count(*) FROM judged WHERE reason IS NOT NULL GROUP BY reason`)).getRows()) {
  byReason[String(reason)] = Number(n);
}
if (tooMany > 0) byReason[REASONS.tooManyFields] = tooMany;
const rows = await scalar(`SELECT count(*) FROM rows`);
const report: ProgramReport = {
  rowsRead: rows + tooMany,
  clean,
  duplicates: valid - clean,
  rejected: rows - valid + tooMany,
  rejectedByReason: byReason,
  maxRssKiB: process.resourceUsage().maxRSS,
};
process.stdout.write(JSON.stringify(report) + "\n");
