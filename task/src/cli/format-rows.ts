import type { QueryResult } from "../load/warehouse.ts";

function cell(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (value instanceof Date) return value.toISOString();
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return text.replace(/\r?\n/g, "↵");
}

/** Query rows as an aligned text table with a row count, psql-style. Pure. */
export function formatRows(result: QueryResult): string {
  const cells = result.rows.map((r) => r.map(cell));
  const widths = result.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => [...(r[i] ?? "")].length)));
  const line = (values: string[]) => values.map((v, i) => v + " ".repeat(widths[i]! - [...v].length)).join(" | ").trimEnd();
  const out = [line(result.columns), widths.map((w) => "-".repeat(w)).join("-+-"), ...cells.map(line)];
  return `${out.join("\n")}\n(${result.rows.length} row${result.rows.length === 1 ? "" : "s"})\n`;
}
