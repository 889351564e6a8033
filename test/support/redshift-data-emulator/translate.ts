/**
 * Pure translation of Redshift SQL into what PGlite (Postgres) runs. Only what must change
 * is changed; everything else passes through byte for byte:
 * - `COPY ... FROM 's3://...'` is parsed into a {@link RedshiftCopy} plan that
 *   `copy-from-s3.ts` carries out (Postgres has no S3 source);
 * - Redshift-only table attributes (DISTSTYLE, DISTKEY, SORTKEY, ENCODE, BACKUP, CI/CS
 *   collations) are dropped from CREATE TABLE, and `VARCHAR(MAX)` becomes `VARCHAR(65535)`;
 * - VACUUM and `ALTER TABLE ... ALTER DISTSTYLE|DISTKEY|SORTKEY|ENCODE` have no effect to
 *   emulate and become no-ops;
 * - Data API `:name` parameters are bound as quoted literals.
 */
import {
  isKeyword,
  isPunct,
  significantTokens,
  stringLiteralValue,
  tokenizeSql,
  type SqlToken,
} from "./sql-tokens.ts";

/** Quotes a value as a Postgres string literal (standard_conforming_strings is on). */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Quotes a name as a Postgres identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A Data API `SqlParameter`. */
export interface SqlParameter {
  name: string;
  value: string;
}

/** The outcome of {@link bindNamedParameters}. */
export interface BoundSql {
  sql: string;
  /** Parameters the SQL never references; the Data API rejects such a request. */
  unused: string[];
}

/**
 * Replaces each `:name` placeholder that names a given parameter with the value as a quoted,
 * untyped literal, so Postgres infers its type from the context as Redshift does. Placeholders
 * inside strings, quoted identifiers and comments, and `::` casts, are left alone; so is a
 * `:name` with no parameter of that name (Redshift then fails on the `:` as a syntax error).
 */
export function bindNamedParameters(sql: string, parameters: readonly SqlParameter[]): BoundSql {
  if (parameters.length === 0) return { sql, unused: [] };
  const values = new Map(parameters.map((p) => [p.name, p.value]));
  const used = new Set<string>();
  const tokens = tokenizeSql(sql);
  let out = "";
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    if (isPunct(token, ":") && next?.kind === "word" && values.has(next.text)) {
      out += quoteLiteral(values.get(next.text)!);
      used.add(next.text);
      i++;
    } else out += token.text;
  }
  return { sql: out, unused: [...values.keys()].filter((name) => !used.has(name)) };
}

/**
 * Drops the Redshift-only attributes of a CREATE TABLE (both the column-list form and
 * CREATE TABLE AS): table attributes `BACKUP {YES|NO}`, `DISTSTYLE x`, `DISTKEY (c)`,
 * `[COMPOUND|INTERLEAVED] SORTKEY (c, ...)`, `SORTKEY AUTO`, `ENCODE AUTO`, and column
 * attributes `ENCODE x`, `DISTKEY`, `SORTKEY`, `COLLATE {CASE_SENSITIVE|CS|CASE_INSENSITIVE|CI}`.
 * Any other statement is returned unchanged.
 */
export function dropRedshiftTableAttributes(sql: string): string {
  const all = tokenizeSql(sql);
  const tokens = significantTokens(all);
  if (!isCreateTable(tokens)) return sql;
  const cuts: Array<[number, number]> = [];
  let depth = 0;
  let columnListSeen = false;
  let inColumnList = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    if (isPunct(t, "(")) {
      if (depth === 0 && !columnListSeen && !afterAs(tokens, i)) {
        columnListSeen = true;
        inColumnList = true;
      }
      depth++;
      continue;
    }
    if (isPunct(t, ")")) {
      depth--;
      if (depth === 0) inColumnList = false;
      continue;
    }
    if (depth === 0 && !afterAs(tokens, i)) {
      const end = tableAttributeEnd(tokens, i);
      if (end !== undefined) {
        cuts.push([t.start, tokens[end]!.end]);
        i = end;
      }
    } else if (depth === 1 && inColumnList && !startsColumnDefinition(tokens, i)) {
      if (isKeyword(t, "ENCODE") && next?.kind === "word") {
        cuts.push([t.start, next.end]);
        i++;
      } else if (isKeyword(t, "DISTKEY", "SORTKEY") && !isPunct(next, "(")) {
        cuts.push([t.start, t.end]);
      } else if (isKeyword(t, "COLLATE") && isKeyword(next, "CASE_SENSITIVE", "CS", "CASE_INSENSITIVE", "CI")) {
        cuts.push([t.start, next!.end]);
        i++;
      }
    }
  }
  return cutRanges(sql, cuts);
}

/** Rewrites `VARCHAR(MAX)` / `CHARACTER VARYING(MAX)` to Redshift's maximum, 65535 bytes. */
export function expandVarcharMax(sql: string): string {
  const tokens = significantTokens(tokenizeSql(sql));
  const cuts: Array<[number, number, string]> = [];
  for (let i = 0; i + 3 < tokens.length; i++) {
    if (
      isKeyword(tokens[i], "VARCHAR", "VARYING", "NVARCHAR") &&
      isPunct(tokens[i + 1], "(") &&
      isKeyword(tokens[i + 2], "MAX") &&
      isPunct(tokens[i + 3], ")")
    ) {
      cuts.push([tokens[i + 2]!.start, tokens[i + 2]!.end, "65535"]);
    }
  }
  let out = sql;
  for (const [start, end, text] of cuts.reverse()) out = out.slice(0, start) + text + out.slice(end);
  return out;
}

/** Why a statement has nothing to run on Postgres, or undefined when it has. */
export function noOpReason(sql: string): string | undefined {
  const t = significantTokens(tokenizeSql(sql));
  if (isKeyword(t[0], "VACUUM")) return "VACUUM has nothing to do on the emulator";
  if (isKeyword(t[0], "ALTER") && isKeyword(t[1], "TABLE")) {
    const alter = t.findIndex((tok, i) => i > 2 && isKeyword(tok, "ALTER"));
    const what = alter === -1 ? undefined : t[alter + 1];
    const after = alter === -1 ? undefined : t[alter + 2];
    if (isKeyword(what, "DISTSTYLE", "DISTKEY", "SORTKEY", "ENCODE") || (isKeyword(what, "COMPOUND", "INTERLEAVED") && isKeyword(after, "SORTKEY"))) {
      return "Redshift physical layout changes have nothing to do on the emulator";
    }
  }
  return undefined;
}

/** How the emulator runs one statement. */
export type TranslatedStatement =
  | { kind: "copy"; copy: RedshiftCopy }
  | { kind: "no-op"; reason: string }
  | { kind: "sql"; sql: string };

/**
 * Decides how to run one (already parameter-bound) Redshift statement on Postgres.
 * Throws {@link CopyCommandError} for a COPY the emulator refuses.
 */
export function translateStatement(sql: string): TranslatedStatement {
  const copy = parseRedshiftCopy(sql);
  if (copy) return { kind: "copy", copy };
  const reason = noOpReason(sql);
  if (reason) return { kind: "no-op", reason };
  return { kind: "sql", sql: expandVarcharMax(dropRedshiftTableAttributes(sql)) };
}

// ---------------------------------------------------------------------------------------
// COPY

/** A Redshift `COPY ... FROM 's3://...'` as the emulator carries it out. */
export interface RedshiftCopy {
  /** The target table as written in the SQL, e.g. `public.cti_records` or `"Stage"`. */
  table: string;
  /** Target column names (unquoted: lower-cased), or undefined for all columns in order. */
  columns?: string[];
  /** The `FROM` URL: an object key prefix, or the manifest object with `manifest`. */
  from: S3Url;
  /** `IAM_ROLE` value (`default` or an ARN), or undefined when `CREDENTIALS` was used. */
  iamRole?: string;
  manifest: boolean;
  gzip: boolean;
  /** ZSTD: the objects are Zstandard (one or more frames). */
  zstd: boolean;
  /** Field delimiter, default `,`. */
  delimiter: string;
  /** CSV quote character, default `"`. */
  quote: string;
  /** Records skipped at the start of each file (IGNOREHEADER), default 0. */
  ignoreHeader: number;
  emptyAsNull: boolean;
  blanksAsNull: boolean;
  trimBlanks: boolean;
  truncateColumns: boolean;
  fillRecord: boolean;
  ignoreBlankLines: boolean;
  /** Replacement character for invalid UTF-8 (ACCEPTINVCHARS), or undefined to fail on it. */
  acceptInvChars?: string;
  /** Field text loaded as NULL (NULL AS), or undefined for none. */
  nullAs?: string;
  /** NOLOAD: check the data, load nothing. */
  noLoad: boolean;
  /** Options accepted without any effect on the emulator, upper-cased, e.g. `TIMEFORMAT`. */
  ignoredOptions: string[];
}

/** An `s3://bucket/key` location. */
export interface S3Url {
  bucket: string;
  key: string;
}

/** Stable codes of {@link CopyCommandError}. */
export type CopyCommandErrorCode = "COPY_SYNTAX" | "COPY_UNKNOWN_OPTION" | "COPY_NOT_EMULATED";

/** A COPY the emulator cannot carry out; the statement fails with this message. */
export class CopyCommandError extends Error {
  constructor(
    readonly code: CopyCommandErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "CopyCommandError";
  }
}

/** Parses `s3://bucket/key`; undefined for anything else. */
export function parseS3Url(url: string): S3Url | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/s.exec(url);
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
}

/** Options accepted and ignored: they change nothing the emulator models. */
const IGNORED_FLAGS = new Set(["ACCEPTANYDATE", "EXPLICIT_IDS", "ROUNDEC"]);
/** Real Redshift COPY options the emulator refuses, with the reason. */
const NOT_EMULATED: Record<string, string> = {
  JSON: "only CSV data is emulated",
  AVRO: "only CSV data is emulated",
  PARQUET: "only CSV data is emulated",
  ORC: "only CSV data is emulated",
  FIXEDWIDTH: "only CSV data is emulated",
  SHAPEFILE: "only CSV data is emulated",
  BZIP2: "only GZIP and ZSTD compression are emulated",
  LZOP: "only GZIP and ZSTD compression are emulated",
  ENCRYPTED: "client-side encrypted objects are not emulated",
  MASTER_SYMMETRIC_KEY: "client-side encrypted objects are not emulated",
  ESCAPE: "ESCAPE applies to the pipe-delimited text format, which is not emulated (and Redshift rejects it with CSV)",
  REMOVEQUOTES: "REMOVEQUOTES applies to the pipe-delimited text format, which is not emulated (and Redshift rejects it with CSV)",
  READRATIO: "DynamoDB sources are not emulated",
  SSH: "SSH sources are not emulated",
  JSON_PARSE: "only CSV data is emulated",
};

/**
 * Parses a Redshift COPY from S3. Returns undefined when `sql` is not a COPY statement;
 * throws {@link CopyCommandError} when it is one the emulator cannot carry out faithfully
 * (unknown options, formats other than CSV, sources other than S3, MAXERROR above 0, ...).
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html
 */
export function parseRedshiftCopy(sql: string): RedshiftCopy | undefined {
  const tokens = significantTokens(tokenizeSql(sql));
  if (!isKeyword(tokens[0], "COPY")) return undefined;
  if (isPunct(tokens.at(-1), ";")) tokens.pop();
  const reader = new TokenReader(tokens, 1);

  const table = readTableName(reader);
  let columns: string[] | undefined;
  if (isPunct(reader.peek(), "(")) {
    reader.next();
    columns = [];
    for (;;) {
      const col = reader.next();
      if (col?.kind === "word") columns.push(col.text.toLowerCase());
      else if (col?.kind === "quoted-identifier") columns.push(col.text.slice(1, -1).replaceAll('""', '"'));
      else throw syntax(`expected a column name in the column list, found ${describe(col)}`);
      const sep = reader.next();
      if (isPunct(sep, ")")) break;
      if (!isPunct(sep, ",")) throw syntax(`expected ',' or ')' in the column list, found ${describe(sep)}`);
    }
  }
  if (!isKeyword(reader.next(), "FROM")) throw syntax("expected FROM after the table name");
  const source = reader.next();
  const url = stringLiteralValue(source);
  const from = url === undefined ? undefined : parseS3Url(url);
  if (!from) {
    throw new CopyCommandError(
      "COPY_NOT_EMULATED",
      `COPY FROM ${source?.text ?? "(nothing)"}: only 's3://bucket/key' sources are emulated`,
    );
  }

  const copy: RedshiftCopy = {
    table,
    columns,
    from,
    manifest: false,
    gzip: false,
    zstd: false,
    delimiter: ",",
    quote: '"',
    ignoreHeader: 0,
    emptyAsNull: false,
    blanksAsNull: false,
    trimBlanks: false,
    truncateColumns: false,
    fillRecord: false,
    ignoreBlankLines: false,
    noLoad: false,
    ignoredOptions: [],
  };
  let csv = false;
  let authorized = false;
  while (reader.peek()) {
    const option = reader.next()!;
    if (option.kind !== "word") throw syntax(`expected a COPY option, found ${describe(option)}`);
    const name = option.text.toUpperCase();
    switch (name) {
      case "WITH":
        if (!isKeyword(reader.peek(), "CREDENTIALS")) throw syntax("expected CREDENTIALS after WITH");
        break;
      case "IAM_ROLE": {
        const role = reader.next();
        if (isKeyword(role, "DEFAULT")) copy.iamRole = "default";
        else copy.iamRole = reader.requireString(role, "IAM_ROLE");
        authorized = true;
        break;
      }
      case "CREDENTIALS":
        reader.skipAs();
        reader.requireString(reader.next(), name);
        authorized = true;
        break;
      case "ACCESS_KEY_ID":
      case "SECRET_ACCESS_KEY":
      case "SESSION_TOKEN":
        reader.requireString(reader.next(), name);
        authorized = true;
        break;
      case "REGION":
        reader.skipAs();
        reader.requireString(reader.next(), name);
        copy.ignoredOptions.push(name);
        break;
      case "FORMAT": {
        reader.skipAs();
        const format = reader.next();
        if (!isKeyword(format, "CSV")) {
          const f = format?.text.toUpperCase() ?? "(nothing)";
          throw new CopyCommandError("COPY_NOT_EMULATED", `COPY FORMAT ${f} is not emulated: only CSV data is emulated`);
        }
        csv = true;
        break;
      }
      case "CSV":
        csv = true;
        break;
      case "QUOTE":
        reader.skipAs();
        copy.quote = reader.requireChar(reader.next(), name);
        break;
      case "DELIMITER":
        reader.skipAs();
        copy.delimiter = reader.requireChar(reader.next(), name);
        break;
      case "GZIP":
        copy.gzip = true;
        break;
      case "ZSTD":
        copy.zstd = true;
        break;
      case "MANIFEST":
        copy.manifest = true;
        break;
      case "IGNOREHEADER":
        reader.skipAs();
        copy.ignoreHeader = reader.requireInteger(reader.next(), name);
        break;
      case "ACCEPTINVCHARS": {
        reader.skipAs();
        const replacement = stringLiteralValue(reader.peek());
        if (replacement !== undefined) reader.next();
        copy.acceptInvChars = replacement ?? "?";
        break;
      }
      case "BLANKSASNULL":
        copy.blanksAsNull = true;
        break;
      case "EMPTYASNULL":
        copy.emptyAsNull = true;
        break;
      case "TRIMBLANKS":
        copy.trimBlanks = true;
        break;
      case "TRUNCATECOLUMNS":
        copy.truncateColumns = true;
        break;
      case "FILLRECORD":
        copy.fillRecord = true;
        break;
      case "IGNOREBLANKLINES":
        copy.ignoreBlankLines = true;
        break;
      case "NOLOAD":
        copy.noLoad = true;
        break;
      case "NULL":
        reader.skipAs();
        copy.nullAs = reader.requireString(reader.next(), "NULL AS");
        break;
      case "DATEFORMAT":
      case "TIMEFORMAT":
        reader.skipAs();
        reader.requireString(reader.next(), name);
        copy.ignoredOptions.push(name);
        break;
      case "ENCODING": {
        reader.skipAs();
        const encoding = reader.next();
        if (!isKeyword(encoding, "UTF8")) {
          throw new CopyCommandError("COPY_NOT_EMULATED", `COPY ENCODING ${encoding?.text ?? "(nothing)"} is not emulated: only UTF8`);
        }
        break;
      }
      case "COMPUPDATE":
      case "STATUPDATE":
        if (isKeyword(reader.peek(), "ON", "OFF", "TRUE", "FALSE", "PRESET")) reader.next();
        copy.ignoredOptions.push(name);
        break;
      case "COMPROWS":
        reader.requireInteger(reader.next(), name);
        copy.ignoredOptions.push(name);
        break;
      case "MAXERROR": {
        reader.skipAs();
        const max = reader.requireInteger(reader.next(), name);
        if (max !== 0) {
          throw new CopyCommandError("COPY_NOT_EMULATED", `COPY MAXERROR ${max} is not emulated: only MAXERROR 0 (fail on the first bad row)`);
        }
        break;
      }
      default:
        if (IGNORED_FLAGS.has(name)) copy.ignoredOptions.push(name);
        else if (NOT_EMULATED[name]) {
          throw new CopyCommandError("COPY_NOT_EMULATED", `COPY option ${name} is not emulated: ${NOT_EMULATED[name]}`);
        } else {
          throw new CopyCommandError("COPY_UNKNOWN_OPTION", `unknown COPY option ${option.text}`);
        }
    }
  }
  if (!csv) {
    throw new CopyCommandError(
      "COPY_NOT_EMULATED",
      "COPY without CSV (Redshift's pipe-delimited text format) is not emulated: add CSV",
    );
  }
  if (copy.gzip && copy.zstd) throw syntax("conflicting file compression options: GZIP and ZSTD");
  if (!authorized) {
    throw syntax("COPY from S3 needs IAM_ROLE, CREDENTIALS or ACCESS_KEY_ID/SECRET_ACCESS_KEY");
  }
  return copy;
}

class TokenReader {
  constructor(
    private readonly tokens: readonly SqlToken[],
    private index: number,
  ) {}
  peek(): SqlToken | undefined {
    return this.tokens[this.index];
  }
  next(): SqlToken | undefined {
    return this.tokens[this.index++];
  }
  skipAs(): void {
    if (isKeyword(this.peek(), "AS")) this.index++;
  }
  requireString(token: SqlToken | undefined, option: string): string {
    const value = stringLiteralValue(token);
    if (value === undefined) throw syntax(`${option} expects a quoted string, found ${describe(token)}`);
    return value;
  }
  requireChar(token: SqlToken | undefined, option: string): string {
    const value = this.requireString(token, option);
    if (value === "\\t") return "\t";
    if ([...value].length !== 1) throw syntax(`${option} expects a single character, found '${value}'`);
    return value;
  }
  requireInteger(token: SqlToken | undefined, option: string): number {
    if (token?.kind !== "number" || !/^\d+$/.test(token.text)) throw syntax(`${option} expects a whole number, found ${describe(token)}`);
    return Number(token.text);
  }
}

function readTableName(reader: TokenReader): string {
  const parts: string[] = [];
  for (;;) {
    const part = reader.next();
    if (part?.kind !== "word" && part?.kind !== "quoted-identifier") {
      throw syntax(`expected a table name after COPY, found ${describe(part)}`);
    }
    parts.push(part.text);
    if (!isPunct(reader.peek(), ".")) return parts.join(".");
    reader.next();
  }
}

function syntax(message: string): CopyCommandError {
  return new CopyCommandError("COPY_SYNTAX", `COPY syntax: ${message}`);
}

function describe(token: SqlToken | undefined): string {
  return token ? `'${token.text}'` : "the end of the statement";
}

// ---------------------------------------------------------------------------------------
// CREATE TABLE attribute helpers

function isCreateTable(tokens: readonly SqlToken[]): boolean {
  let i = 0;
  if (!isKeyword(tokens[i++], "CREATE")) return false;
  if (isKeyword(tokens[i], "LOCAL")) i++;
  if (isKeyword(tokens[i], "TEMP", "TEMPORARY")) i++;
  return isKeyword(tokens[i], "TABLE");
}

/** True when token `i` is the first of a column definition (so a column may be named `sortkey`). */
function startsColumnDefinition(tokens: readonly SqlToken[], i: number): boolean {
  return isPunct(tokens[i - 1], "(") || isPunct(tokens[i - 1], ",");
}

/** True once a top-level `AS` (of CREATE TABLE AS) has been passed: the query follows. */
function afterAs(tokens: readonly SqlToken[], index: number): boolean {
  let depth = 0;
  for (let i = 0; i < index; i++) {
    const t = tokens[i]!;
    if (isPunct(t, "(")) depth++;
    else if (isPunct(t, ")")) depth--;
    else if (depth === 0 && isKeyword(t, "AS")) return true;
  }
  return false;
}

/** If a table attribute starts at `i`, the index of its last token. */
function tableAttributeEnd(tokens: readonly SqlToken[], i: number): number | undefined {
  const t = tokens[i];
  const next = tokens[i + 1];
  if (isKeyword(t, "BACKUP") && isKeyword(next, "YES", "NO")) return i + 1;
  if (isKeyword(t, "DISTSTYLE") && next?.kind === "word") return i + 1;
  if (isKeyword(t, "ENCODE") && isKeyword(next, "AUTO")) return i + 1;
  if (isKeyword(t, "SORTKEY") && isKeyword(next, "AUTO")) return i + 1;
  if (isKeyword(t, "DISTKEY", "SORTKEY") && isPunct(next, "(")) return closingParen(tokens, i + 1);
  if (isKeyword(t, "COMPOUND", "INTERLEAVED") && isKeyword(next, "SORTKEY") && isPunct(tokens[i + 2], "(")) {
    return closingParen(tokens, i + 2);
  }
  return undefined;
}

function closingParen(tokens: readonly SqlToken[], open: number): number | undefined {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isPunct(tokens[i], "(")) depth++;
    else if (isPunct(tokens[i], ")") && --depth === 0) return i;
  }
  return undefined;
}

/** Removes the given source ranges, each with the whitespace just before it. */
function cutRanges(sql: string, cuts: ReadonlyArray<readonly [number, number]>): string {
  let out = "";
  let at = 0;
  for (const [start, end] of [...cuts].sort((a, b) => a[0] - b[0])) {
    let from = start;
    while (from > at && /[ \t]/.test(sql[from - 1]!)) from--;
    out += sql.slice(at, from);
    at = end;
  }
  return out + sql.slice(at);
}
