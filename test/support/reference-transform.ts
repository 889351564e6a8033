import { parse } from "csv-parse/sync";

/**
 * An independent, deliberately simple model of the transform, built on csv-parse: what the
 * clean rows must be (normalised, deduplicated, first-seen order). Tests compare the job's
 * parts with it.
 */
export function referenceClean(csvText: string): string[][] {
  const rows = parse(csvText, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  const header = rows[0]!.map((h) => h.trim().toLowerCase());
  const k = header.indexOf("key");
  const d = header.indexOf("data");
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const row of rows.slice(1)) {
    if (row.length > header.length) continue;
    const key = (row[k] ?? "").trim().toLowerCase();
    const data = (row[d] ?? "").trim().toLowerCase();
    if (!key || !data) continue;
    const id = JSON.stringify([key, data]);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push([key, data]);
  }
  return out;
}
