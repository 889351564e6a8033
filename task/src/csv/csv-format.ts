const NEEDS_QUOTES = /[",\r\n]/;

/** One field, quoted per RFC 4180 only when it holds a quote, comma or line break. */
export function formatField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One CSV line (with its `\n`). */
export function formatRow(values: readonly string[]): string {
  let line = "";
  for (let i = 0; i < values.length; i++) line += (i === 0 ? "" : ",") + formatField(values[i]!);
  return line + "\n";
}
