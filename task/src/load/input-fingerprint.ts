/**
 * The identity of a run's input, which makes a rerun of the same input a no-op: a SHA-256
 * over a canonical JSON of the inputs list.
 *
 * Decisions:
 * - Identity is each input's uri, sha256 and size: the content hash the job computes over
 *   every byte it read. The S3 ETag is left out: it is not a content hash for multipart
 *   uploads (re-uploading identical bytes with another part size changes it) and local files
 *   have none; it is kept in the ledger's `inputs` text for people.
 * - Order-sensitive: the list is fingerprinted as given. The job lists inputs in key order,
 *   so the same input always gives the same list; a different order is a different listing.
 * - Versioned: the canonical form starts with {@link FINGERPRINT_FORMAT}, so changing it
 *   later cannot collide with old ledger rows.
 */
import { createHash } from "node:crypto";
import type { LoadInput } from "./warehouse.ts";

/** Prefix of the fingerprinted text; bump it when the canonical form changes. */
export const FINGERPRINT_FORMAT = "cti-etl/input-fingerprint/v1";

/** The canonical JSON of the identity fields, in the order given: `[{"uri":…,"sha256":…,"bytes":…},…]`. */
export function canonicalInputsJson(inputs: readonly LoadInput[]): string {
  return JSON.stringify(inputs.map((i) => ({ uri: i.uri, sha256: i.sha256.toLowerCase(), bytes: i.bytes })));
}

/** SHA-256 (64 lower-case hex digits) of the format tag and the canonical JSON. */
export function inputFingerprint(inputs: readonly LoadInput[]): string {
  return createHash("sha256").update(`${FINGERPRINT_FORMAT}\n${canonicalInputsJson(inputs)}`).digest("hex");
}

/**
 * The ledger's `inputs` column: JSON of every input with its ETag (surrounding quotes
 * dropped, since S3 returns ETags quoted), or, when that passes `maxBytes` (Redshift's
 * VARCHAR holds 65535 bytes and a Data API statement 100 KB), a short JSON object giving the
 * count: the full list stays in the run's summary.json.
 */
export function ledgerInputsText(inputs: readonly LoadInput[], maxBytes: number): string {
  const full = JSON.stringify(
    inputs.map((i) => ({
      uri: i.uri,
      ...(i.etag ? { etag: i.etag.replace(/^"(.*)"$/, "$1") } : {}),
      sha256: i.sha256.toLowerCase(),
      bytes: i.bytes,
    })),
  );
  if (Buffer.byteLength(full) <= maxBytes) return full;
  return JSON.stringify({ count: inputs.length, omitted: "too long for the ledger; see the run's summary.json" });
}
