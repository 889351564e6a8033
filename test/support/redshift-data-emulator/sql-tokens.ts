/**
 * A small SQL lexer: just enough of Postgres/Redshift lexical structure to find keywords,
 * identifiers and `:name` parameters without ever looking inside string literals, quoted
 * identifiers or comments. Pure; every token keeps its source span so translations can cut
 * and splice the original text instead of re-printing it.
 */

export type SqlTokenKind =
  | "word" // unquoted identifier or keyword
  | "quoted-identifier" // "..."
  | "string" // '...' (also E'...' and dollar-quoted $tag$...$tag$)
  | "number"
  | "punct" // ( ) , ; . : :: and operators
  | "space"
  | "comment";

export interface SqlToken {
  kind: SqlTokenKind;
  /** The token's exact source text. */
  text: string;
  /** Offset of the first character in the source. */
  start: number;
  /** Offset one past the last character. */
  end: number;
}

/** Thrown for an unterminated string, quoted identifier or comment. */
export class SqlLexError extends Error {
  readonly code = "SQL_UNTERMINATED";
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = "SqlLexError";
  }
}

const wordStart = /[A-Za-z_\u0080-\uffff]/;
const wordPart = /[A-Za-z0-9_$\u0080-\uffff]/;
const operatorChars = "+-*/<>=~!@#%^&|`?";

/** Splits SQL text into tokens, spaces and comments included, covering the whole input. */
export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  const push = (kind: SqlTokenKind, end: number) => {
    tokens.push({ kind, text: sql.slice(i, end), start: i, end });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /\s/.test(sql[j]!)) j++;
      push("space", j);
    } else if (c === "-" && next === "-") {
      const nl = sql.indexOf("\n", i);
      push("comment", nl === -1 ? sql.length : nl);
    } else if (c === "/" && next === "*") {
      push("comment", blockCommentEnd(sql, i));
    } else if (c === "'") {
      push("string", quotedEnd(sql, i, "'", "string literal"));
    } else if ((c === "E" || c === "e") && next === "'") {
      push("string", escapeStringEnd(sql, i + 1));
    } else if (c === '"') {
      push("quoted-identifier", quotedEnd(sql, i, '"', "quoted identifier"));
    } else if (c === "$" && /[A-Za-z_$]/.test(next ?? "")) {
      const dollar = dollarQuoteEnd(sql, i);
      if (dollar === undefined) push("punct", i + 1);
      else push("string", dollar);
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(next ?? ""))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(sql.slice(i));
      push("number", i + (m?.[0].length ?? 1));
    } else if (wordStart.test(c)) {
      let j = i + 1;
      while (j < sql.length && wordPart.test(sql[j]!)) j++;
      push("word", j);
    } else if (c === ":" && next === ":") {
      push("punct", i + 2);
    } else if (operatorChars.includes(c)) {
      let j = i + 1;
      while (j < sql.length && operatorChars.includes(sql[j]!) && !sql.startsWith("--", j) && !sql.startsWith("/*", j)) j++;
      push("punct", j);
    } else {
      push("punct", i + 1);
    }
  }
  return tokens;
}

/** The tokens that carry meaning: no spaces, no comments. */
export function significantTokens(tokens: readonly SqlToken[]): SqlToken[] {
  return tokens.filter((t) => t.kind !== "space" && t.kind !== "comment");
}

/** True when `token` is the unquoted keyword `keyword` (case-insensitive). */
export function isKeyword(token: SqlToken | undefined, ...keywords: string[]): boolean {
  return token?.kind === "word" && keywords.some((k) => k.toUpperCase() === token.text.toUpperCase());
}

/** True when `token` is the punctuation `text`. */
export function isPunct(token: SqlToken | undefined, text: string): boolean {
  return token?.kind === "punct" && token.text === text;
}

/** The value of a `'...'` literal (doubled quotes undone); undefined for other tokens. */
export function stringLiteralValue(token: SqlToken | undefined): string | undefined {
  if (token?.kind !== "string" || !token.text.startsWith("'")) return undefined;
  return token.text.slice(1, -1).replaceAll("''", "'");
}

function quotedEnd(sql: string, start: number, quote: string, what: string): number {
  let j = start + 1;
  for (;;) {
    const k = sql.indexOf(quote, j);
    if (k === -1) throw new SqlLexError(`unterminated ${what} starting at position ${start + 1}`, start);
    if (sql[k + 1] === quote) j = k + 2;
    else return k + 1;
  }
}

function escapeStringEnd(sql: string, quoteAt: number): number {
  let j = quoteAt + 1;
  while (j < sql.length) {
    const c = sql[j];
    if (c === "\\") j += 2;
    else if (c === "'" && sql[j + 1] === "'") j += 2;
    else if (c === "'") return j + 1;
    else j++;
  }
  throw new SqlLexError(`unterminated string literal starting at position ${quoteAt}`, quoteAt - 1);
}

function blockCommentEnd(sql: string, start: number): number {
  let depth = 0;
  let j = start;
  while (j < sql.length) {
    if (sql.startsWith("/*", j)) {
      depth++;
      j += 2;
    } else if (sql.startsWith("*/", j)) {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else j++;
  }
  throw new SqlLexError(`unterminated /* comment starting at position ${start + 1}`, start);
}

function dollarQuoteEnd(sql: string, start: number): number | undefined {
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(start));
  if (!m) return undefined;
  const tag = m[0];
  const close = sql.indexOf(tag, start + tag.length);
  if (close === -1) throw new SqlLexError(`unterminated dollar-quoted string starting at position ${start + 1}`, start);
  return close + tag.length;
}
