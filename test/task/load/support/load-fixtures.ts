/**
 * Fixtures for warehouse tests: clean parts (gzip CSV, header `key,data`) made from rows, and
 * LoadRequests describing them.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { formatRow } from "../../../../task/src/records/rfc4180.ts";
import type { LoadInput, LoadRequest } from "../../../../task/src/load/warehouse.ts";

export type Row = readonly [key: string, data: string];

/** A clean part's bytes: gzip of the header and the rows. */
export function partBytes(rows: readonly Row[]): Buffer {
  return gzipSync(Buffer.from("key,data\n" + rows.map((r) => formatRow(r)).join("")));
}

/** `n` rows `k<from+i>`,`d<from+i>`. */
export function rowsRange(from: number, n: number): Row[] {
  return Array.from({ length: n }, (_, i) => [`k${from + i}`, `d${from + i}`] as const);
}

/** An input whose identity comes from `name` (so two names are two different inputs). */
export function inputNamed(name: string): LoadInput {
  return { uri: `s3://input/${name}.csv`, etag: `"${name}-etag"`, sha256: createHash("sha256").update(name).digest("hex"), bytes: name.length };
}

/** A LoadRequest for parts already written at `parts[i].url`. */
export function loadRequest(options: {
  runId: string;
  table: string;
  inputs: LoadInput[];
  manifestUrl: string;
  parts: Array<{ url: string; rows: readonly Row[]; bytes: number }>;
  startedAt?: string;
}): LoadRequest {
  const clean = options.parts.reduce((n, p) => n + p.rows.length, 0);
  return {
    runId: options.runId,
    table: options.table,
    inputs: options.inputs,
    counts: { rowsRead: clean + 1, clean, duplicates: 1, rejected: 0, rejectedByReason: {} },
    startedAt: options.startedAt ?? "2026-11-26T10:45:12.000Z",
    manifestUrl: options.manifestUrl,
    parts: options.parts.map((p) => ({ url: p.url, rows: p.rows.length, bytes: p.bytes })),
  };
}

/** Sorted `key|data` strings, to compare row sets. */
export function rowSet(rows: readonly (readonly unknown[])[]): string[] {
  return rows.map((r) => `${String(r[0])}|${String(r[1])}`).sort();
}
