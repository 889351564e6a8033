/**
 * Carries out a parsed Redshift COPY (see `translate.ts`) inside the statement's transaction:
 * resolve the objects (key prefix, or manifest entries), read them from an
 * {@link S3ObjectSource}, decompress (GZIP, ZSTD) and decode, apply Redshift's CSV field rules (NULLs, blanks,
 * byte lengths, missing/extra columns), then load with Postgres `COPY ... FROM '/dev/blob'`.
 * The steps between I/O are pure exported functions.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html
 */
import { spawnSync } from "node:child_process";
import * as zlib from "node:zlib";
import type { Transaction } from "@electric-sql/pglite";
import { zstdFramesOf } from "../../../task/src/load/zstd-frames.ts";
import { parseCsvRecords, CsvQuoteError, type CsvRecord } from "./csv-records.ts";
import type { S3ObjectSource } from "./object-source.ts";
import { parseS3Url, quoteIdentifier, type RedshiftCopy } from "./translate.ts";

/** Stable codes of {@link CopyLoadError}. */
export type CopyLoadErrorCode =
  | "S3_PREFIX_NOT_FOUND"
  | "MANIFEST_NOT_FOUND"
  | "MANIFEST_INVALID"
  | "MANIFEST_ENTRY_MISSING"
  | "MANIFEST_LENGTH_MISMATCH"
  | "GZIP_INVALID"
  | "ZSTD_INVALID"
  | "INVALID_UTF8"
  | "BAD_ROW";

/** A COPY that failed on its input; the statement fails with {@link CopyLoadError.message}. */
export class CopyLoadError extends Error {
  constructor(
    readonly code: CopyLoadErrorCode,
    message: string,
    /** Where the bad data is, when known. */
    readonly at?: { url: string; line?: number; column?: string },
  ) {
    super(message);
    this.name = "CopyLoadError";
  }
}

/** A target column as COPY needs to know it. */
export interface TargetColumn {
  name: string;
  /** CHAR/VARCHAR/TEXT: empty means '' (not NULL) unless EMPTYASNULL. */
  isString: boolean;
  /** Declared length of CHAR(n)/VARCHAR(n), which Redshift counts in UTF-8 bytes. */
  maxBytes?: number;
}

/** One entry of a COPY manifest. */
export interface ManifestEntry {
  url: string;
  mandatory: boolean;
  contentLength?: number;
}

/**
 * Parses a COPY manifest: `{"entries":[{"url":"s3://...","mandatory":true,"meta":{"content_length":N}}]}`.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/loading-data-files-using-manifest.html
 */
export function parseCopyManifest(text: string, manifestUrl: string): ManifestEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new CopyLoadError("MANIFEST_INVALID", `Manifest file ${manifestUrl} is not valid JSON: ${(error as Error).message}`);
  }
  const entries = (doc as { entries?: unknown })?.entries;
  if (!Array.isArray(entries)) {
    throw new CopyLoadError("MANIFEST_INVALID", `Manifest file ${manifestUrl} has no "entries" array`);
  }
  return entries.map((entry: unknown, i) => {
    const e = entry as { url?: unknown; mandatory?: unknown; meta?: { content_length?: unknown } };
    if (typeof e?.url !== "string" || !parseS3Url(e.url)) {
      throw new CopyLoadError("MANIFEST_INVALID", `Manifest file ${manifestUrl}: entry ${i} has no s3:// "url"`);
    }
    if (e.mandatory !== undefined && typeof e.mandatory !== "boolean") {
      throw new CopyLoadError("MANIFEST_INVALID", `Manifest file ${manifestUrl}: entry ${i} "mandatory" is not a boolean`);
    }
    const length = e.meta?.content_length;
    if (length !== undefined && (typeof length !== "number" || !Number.isInteger(length) || length < 0)) {
      throw new CopyLoadError("MANIFEST_INVALID", `Manifest file ${manifestUrl}: entry ${i} "meta.content_length" is not a whole number`);
    }
    return { url: e.url, mandatory: e.mandatory === true, contentLength: length };
  });
}

/** An object to load, with its bytes as stored. */
export interface CopyObject {
  url: string;
  bytes: Uint8Array;
}

/**
 * The objects a COPY reads: with MANIFEST, the manifest's entries (a missing mandatory entry
 * fails, a missing optional one is skipped); otherwise every object whose key starts with
 * the FROM key (Redshift's prefix semantics), failing when there is none.
 */
export async function resolveCopyObjects(copy: RedshiftCopy, source: S3ObjectSource): Promise<CopyObject[]> {
  const { bucket, key } = copy.from;
  const fromUrl = `s3://${bucket}/${key}`;
  if (!copy.manifest) {
    const keys = await source.listKeys(bucket, key);
    if (keys.length === 0) throw new CopyLoadError("S3_PREFIX_NOT_FOUND", `The specified S3 prefix '${key}' does not exist`, { url: fromUrl });
    const objects: CopyObject[] = [];
    for (const k of keys) {
      const bytes = await source.getObject(bucket, k);
      if (bytes) objects.push({ url: `s3://${bucket}/${k}`, bytes });
    }
    return objects;
  }
  const manifest = await source.getObject(bucket, key);
  if (!manifest) throw new CopyLoadError("MANIFEST_NOT_FOUND", `Manifest file ${fromUrl} does not exist`, { url: fromUrl });
  const objects: CopyObject[] = [];
  for (const entry of parseCopyManifest(new TextDecoder().decode(manifest), fromUrl)) {
    const at = parseS3Url(entry.url)!;
    const bytes = await source.getObject(at.bucket, at.key);
    if (!bytes) {
      if (!entry.mandatory) continue;
      throw new CopyLoadError("MANIFEST_ENTRY_MISSING", `Manifest entry ${entry.url} is mandatory but the object does not exist`, { url: entry.url });
    }
    if (entry.contentLength !== undefined && entry.contentLength !== bytes.byteLength) {
      throw new CopyLoadError(
        "MANIFEST_LENGTH_MISMATCH",
        `Manifest entry ${entry.url} says content_length ${entry.contentLength} but the object has ${bytes.byteLength} bytes`,
        { url: entry.url },
      );
    }
    objects.push({ url: entry.url, bytes });
  }
  return objects;
}

/**
 * Decompresses Zstandard data, every frame (RFC 8878 §3.1: one or more frames, as the product's
 * parts are), as Redshift's ZSTD reads `.zst` files: frame by frame with node:zlib where it has
 * zstd (its decompressor reads only the first frame: nodejs/node#64741), else with the `zstd`
 * command (the test machines' Node 20 has no zstd; Debian's package `zstd`). The frames are
 * found first, which also refuses what the command would read besides zstd (gzip, xz, lz4).
 * @throws Error when the data is not valid zstd.
 */
export function zstdDecompressSync(bytes: Uint8Array): Uint8Array {
  const frames = zstdFramesOf(bytes, "the object");
  const z = zlib as unknown as { zstdDecompressSync?: (data: Uint8Array) => Buffer };
  if (typeof z.zstdDecompressSync === "function") return Buffer.concat(frames.map((frame) => z.zstdDecompressSync!(frame)));
  const run = spawnSync("zstd", ["--decompress", "--stdout", "--quiet"], { input: bytes, maxBuffer: 1 << 30 });
  if (run.error) throw new Error(`cannot run the zstd command (install Debian's zstd): ${run.error.message}`);
  if (run.status !== 0) throw new Error(run.stderr.toString().trim() || `zstd exited with ${run.status}`);
  return run.stdout;
}

/** Decompresses (with GZIP or ZSTD) and decodes UTF-8; invalid UTF-8 fails unless ACCEPTINVCHARS. */
export function decodeCopyObject(object: CopyObject, copy: Pick<RedshiftCopy, "gzip" | "zstd" | "acceptInvChars">): string {
  let bytes = object.bytes;
  if (copy.gzip) {
    try {
      bytes = zlib.gunzipSync(bytes);
    } catch (error) {
      throw new CopyLoadError("GZIP_INVALID", `gzip: ${(error as Error).message} in ${object.url}`, { url: object.url });
    }
  }
  if (copy.zstd) {
    try {
      bytes = zstdDecompressSync(bytes);
    } catch (error) {
      throw new CopyLoadError("ZSTD_INVALID", `zstd: ${(error as Error).message} in ${object.url}`, { url: object.url });
    }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    if (copy.acceptInvChars === undefined) {
      throw new CopyLoadError("INVALID_UTF8", `String contains invalid or unsupported UTF8 codepoints in ${object.url}`, { url: object.url });
    }
    return new TextDecoder("utf-8").decode(bytes).replaceAll("\uFFFD", copy.acceptInvChars);
  }
}

/** Rows ready for Postgres, each with the physical line of the source it came from. */
export interface PreparedRows {
  rows: Array<Array<string | null>>;
  lines: number[];
}

type FieldRules = Pick<
  RedshiftCopy,
  "ignoreHeader" | "emptyAsNull" | "blanksAsNull" | "trimBlanks" | "truncateColumns" | "fillRecord" | "ignoreBlankLines" | "nullAs"
>;

/**
 * Applies Redshift's COPY field rules to one file's records:
 * IGNOREHEADER skips leading records; a blank line is skipped with IGNOREBLANKLINES; too many
 * fields fail ("Extra column(s) found"), too few fail ("Delimiter not found") unless FILLRECORD
 * pads with NULLs; an unquoted field equal to NULL AS is NULL; an empty or blank field is NULL
 * for non-character columns; for CHAR/VARCHAR, TRIMBLANKS drops trailing blanks, EMPTYASNULL
 * and BLANKSASNULL make NULLs, and a value longer than the column's byte length fails
 * ("String length exceeds DDL length") unless TRUNCATECOLUMNS cuts it.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-conversion.html
 */
export function prepareCopyRows(
  records: readonly CsvRecord[],
  columns: readonly TargetColumn[],
  rules: FieldRules,
  url: string,
): PreparedRows {
  const out: PreparedRows = { rows: [], lines: [] };
  for (const record of records.slice(rules.ignoreHeader)) {
    if (record.blank && rules.ignoreBlankLines) continue;
    const bad = (reason: string, column?: string) =>
      new CopyLoadError("BAD_ROW", reason, { url, line: record.line, ...(column === undefined ? {} : { column }) });
    if (record.fields.length > columns.length) throw bad("Extra column(s) found");
    if (record.fields.length < columns.length && !rules.fillRecord) throw bad("Delimiter not found");
    const row = columns.map((column, i) => {
      const field = record.fields[i];
      if (!field) return null;
      let value = field.value;
      if (rules.nullAs !== undefined && !field.quoted && value === rules.nullAs) return null;
      if (!column.isString) return value.trim() === "" ? null : value;
      if (rules.trimBlanks) value = value.replace(/ +$/, "");
      if (rules.emptyAsNull && value === "") return null;
      if (rules.blanksAsNull && value !== "" && value.trim() === "") return null;
      if (column.maxBytes !== undefined && utf8Length(value) > column.maxBytes) {
        if (!rules.truncateColumns) throw bad(`String length exceeds DDL length (${utf8Length(value)} > ${column.maxBytes} bytes)`, column.name);
        value = truncateUtf8(value, column.maxBytes);
      }
      return value;
    });
    out.rows.push(row);
    out.lines.push(record.line);
  }
  return out;
}

/** Encodes rows as Postgres CSV: NULL as an unquoted empty field, every value quoted. */
export function encodePostgresCsv(rows: ReadonlyArray<ReadonlyArray<string | null>>): string {
  return rows
    .map((row) => row.map((v) => (v === null ? "" : `"${v.replaceAll('"', '""')}"`)).join(","))
    .join("\n")
    .concat(rows.length > 0 ? "\n" : "");
}

/** UTF-8 byte length of a string. */
export function utf8Length(value: string): number {
  return Buffer.byteLength(value, "utf8");
}

/** The longest prefix of `value` of at most `maxBytes` UTF-8 bytes, never splitting a character. */
export function truncateUtf8(value: string, maxBytes: number): string {
  let bytes = 0;
  let out = "";
  for (const ch of value) {
    const n = utf8Length(ch);
    if (bytes + n > maxBytes) break;
    bytes += n;
    out += ch;
  }
  return out;
}

/** What a COPY did. */
export interface CopyOutcome {
  /** Rows loaded (0 with NOLOAD). */
  rowsLoaded: number;
  /** The objects read, in load order. */
  objects: string[];
}

/** Runs `copy` inside `tx`, reading objects from `source`. */
export async function copyFromS3(tx: Transaction, copy: RedshiftCopy, source: S3ObjectSource): Promise<CopyOutcome> {
  const columns = await targetColumns(tx, copy);
  const objects = await resolveCopyObjects(copy, source);
  const prepared: PreparedRows = { rows: [], lines: [] };
  const origins: string[] = [];
  for (const object of objects) {
    const text = decodeCopyObject(object, copy);
    let records: CsvRecord[];
    try {
      records = parseCsvRecords(text, copy);
    } catch (error) {
      if (error instanceof CsvQuoteError) throw new CopyLoadError("BAD_ROW", error.message, { url: object.url, line: error.line });
      throw error;
    }
    const rows = prepareCopyRows(records, columns, copy, object.url);
    // Loops, not push(...spread): a part of 100k+ rows would overflow the call stack.
    for (const row of rows.rows) prepared.rows.push(row);
    for (const line of rows.lines) {
      prepared.lines.push(line);
      origins.push(object.url);
    }
  }
  if (prepared.rows.length > 0) {
    const sql = `COPY ${copy.table} (${columns.map((c) => quoteIdentifier(c.name)).join(", ")}) FROM '/dev/blob' WITH (FORMAT csv)`;
    const blob = new Blob([encodePostgresCsv(prepared.rows)]);
    if (copy.noLoad) await tx.query("SAVEPOINT redshift_emulator_noload");
    try {
      await tx.query(sql, [], { blob });
    } catch (error) {
      const row = /line (\d+)/.exec(String((error as { where?: string }).where ?? ""));
      const index = row ? Number(row[1]) - 1 : -1;
      const column = /column (\w+)/.exec(String((error as { where?: string }).where ?? ""))?.[1];
      if (index >= 0 && origins[index]) {
        throw new CopyLoadError("BAD_ROW", (error as Error).message, {
          url: origins[index],
          line: prepared.lines[index],
          ...(column ? { column } : {}),
        });
      }
      throw error;
    }
    if (copy.noLoad) await tx.query("ROLLBACK TO SAVEPOINT redshift_emulator_noload");
  }
  return { rowsLoaded: copy.noLoad ? 0 : prepared.rows.length, objects: objects.map((o) => o.url) };
}

/** The message a failed COPY's statement reports, in Redshift's words plus the emulator's detail. */
export function copyFailureMessage(copy: RedshiftCopy, error: CopyLoadError): string {
  const table = copy.table.split(".").at(-1)!.replace(/^"(.*)"$/, "$1");
  const where = error.at
    ? ` at ${error.at.url}${error.at.line === undefined ? "" : ` line ${error.at.line}`}${error.at.column === undefined ? "" : `, column ${error.at.column}`}`
    : "";
  if (error.code === "BAD_ROW" || error.code === "INVALID_UTF8") {
    return `Load into table '${table}' failed. Check 'sys_load_error_detail' system table for details. [emulator: ${error.message}${where}]`;
  }
  return error.message;
}

/** The COPY's target columns, in load order, from the catalog. */
async function targetColumns(tx: Transaction, copy: RedshiftCopy): Promise<TargetColumn[]> {
  const found = await tx.query<{ oid: number | null }>("SELECT to_regclass($1)::oid::int AS oid", [copy.table]);
  const oid = found.rows[0]?.oid;
  if (oid === null || oid === undefined) throw new Error(`relation "${copy.table}" does not exist`);
  const all = await tx.query<{ name: string; category: string; typmod: number; type: string }>(
    `SELECT a.attname AS name, t.typcategory AS category, a.atttypmod AS typmod, t.typname AS type
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      ORDER BY a.attnum`,
    [oid],
  );
  const columns = all.rows.map((c) => ({
    name: c.name,
    isString: c.category === "S",
    ...((c.type === "varchar" || c.type === "bpchar") && c.typmod > 4 ? { maxBytes: c.typmod - 4 } : {}),
  }));
  if (!copy.columns) return columns;
  return copy.columns.map((name) => {
    const column = columns.find((c) => c.name === name);
    if (!column) throw new Error(`column "${name}" of relation "${copy.table}" does not exist`);
    return column;
  });
}
