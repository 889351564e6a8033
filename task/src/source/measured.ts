import { createHash } from "node:crypto";

/** Running totals of the raw bytes read from one input. */
export interface ReadMeasure {
  bytes: number;
  sha256(): string;
}

/** Passes chunks through while counting them and hashing them with SHA-256. */
export function measured(source: AsyncIterable<Buffer>): { chunks: AsyncIterable<Buffer>; measure: ReadMeasure } {
  const hash = createHash("sha256");
  const measure = { bytes: 0, sha256: () => hash.copy().digest("hex") };
  const chunks = (async function* () {
    for await (const chunk of source) {
      hash.update(chunk);
      measure.bytes += chunk.length;
      yield chunk;
    }
  })();
  return { chunks, measure };
}
