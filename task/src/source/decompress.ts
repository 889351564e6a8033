import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

/** gzip's magic bytes (RFC 1952): inputs are recognised by content, not by name. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Passes bytes through, gunzipping them (all members) when they start with gzip's magic. */
export async function* decompressIfGzip(source: AsyncIterable<Buffer>, onError: (e: unknown) => Error): AsyncIterable<Buffer> {
  const it = source[Symbol.asyncIterator]();
  let first = await it.next();
  // A first chunk of one byte cannot be judged; join it with the next.
  while (!first.done && first.value.length < 2) {
    const next = await it.next();
    if (next.done) break;
    first = { done: false, value: Buffer.concat([first.value, next.value]) };
  }
  if (first.done) return;
  const rest = (async function* () {
    yield first.value;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  })();
  if (!isGzip(first.value)) {
    yield* rest;
    return;
  }
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  const piping = pipeline(Readable.from(rest), gunzip);
  piping.catch(() => {});
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
    await piping;
  } catch (error) {
    throw onError(error);
  }
}
