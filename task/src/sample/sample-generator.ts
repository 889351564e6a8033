import { formatField } from "../records/rfc4180.ts";
import { reasons } from "../records/record-schema.ts";

/** What a generated file must produce: the oracle the job's counts are checked against. */
export interface ExpectedCounts {
  rowsRead: number;
  clean: number;
  duplicates: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
}

/** Options of {@link generateSample}. */
export interface SampleOptions {
  rows: number;
  /** PRNG seed: the same seed and rows give the same bytes. Default 42. */
  seed?: number;
  /** Share of rows that repeat an earlier record (default 0.15). */
  duplicateRate?: number;
  /** Share of rows that are invalid (default 0.01). */
  invalidRate?: number;
  /** Line ending (default "\n"). */
  eol?: "\n" | "\r\n";
}

/** Bumped whenever the output for a given seed changes, so cached files are regenerated. */
export const GENERATOR_VERSION = 2;

/** splitmix32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

// Letters whose upper and lower case round-trip exactly (no ß, no final sigma).
const WORDS = ["alpha", "bravo", "charlie", "delta", "écho", "foxtrot", "golf", "hôtel", "india", "jüliet", "kilo", "лима", "mike", "ñovember", "øscar", "papa", "東京", "romeo", "sierra", "tango"];
const PAD = ["", "", "", " ", "  ", "\t", " \t "];

/**
 * Generates a deterministic CSV like the real input (header `Key,Data`; mixed case,
 * padding, duplicates, invalid rows, quoted commas, quotes and line breaks, non-ASCII)
 * in text chunks, and counts what the job must find.
 */
export function* generateSample(options: SampleOptions): Generator<string, ExpectedCounts> {
  const rand = prng(options.seed ?? 42);
  const dupRate = options.duplicateRate ?? 0.15;
  const badRate = options.invalidRate ?? 0.01;
  const eol = options.eol ?? "\n";
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const shout = (s: string) => {
    const r = rand();
    return r < 0.5 ? s : r < 0.75 ? s.toUpperCase() : s.charAt(0).toUpperCase() + s.slice(1);
  };
  const pad = (s: string) => pick(PAD) + s + pick(PAD);
  const counts: ExpectedCounts = { rowsRead: 0, clean: 0, duplicates: 0, rejected: 0, rejectedByReason: {} };
  const reject = (reason: string) => {
    counts.rejected++;
    counts.rejectedByReason[reason] = (counts.rejectedByReason[reason] ?? 0) + 1;
  };
  // Recent clean records, normalised, for duplicates to repeat.
  const recent: [string, string][] = [];
  let chunk = "Key,Data" + eol;
  for (let i = 0; i < options.rows; i++) {
    counts.rowsRead++;
    const r = rand();
    let key: string | undefined;
    let data: string | undefined;
    if (r < badRate) {
      const kind = Math.floor(rand() * 4);
      if (kind === 0) [key, data] = [pick(PAD), pad(shout(pick(WORDS)))];
      else if (kind === 1) [key, data] = [pad(shout(`k${i}`)), pick(["", " ", "\t"])];
      else if (kind === 2) [key, data] = [pick(PAD), pick(PAD)];
      else [key, data] = [`k${i}`, `d${i},extra`];
      reject([reasons.required("Key"), reasons.required("Data"), reasons.empty, reasons.tooManyFields][kind]!);
      chunk += (kind === 3 ? `${key},${data}` : `${formatField(key)},${formatField(data)}`) + eol;
    } else if (r < badRate + dupRate && recent.length > 0) {
      const [k, d] = pick(recent);
      counts.duplicates++;
      chunk += `${formatField(pad(shout(k)))},${formatField(pad(shout(d)))}${eol}`;
    } else {
      const k = `${pick(WORDS)}-${pick(WORDS)}-${pick(WORDS)}-${i.toString(36)}`;
      const shape = rand();
      let d = `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${Math.floor(rand() * 1e12)}`;
      if (shape < 0.03) d += `, ${pick(WORDS)}`;
      else if (shape < 0.04) d += `${eol}${pick(WORDS)}`;
      else if (shape < 0.05) d += ` "${pick(WORDS)}"`;
      counts.clean++;
      if (recent.length < 4096) recent.push([k, d]);
      else recent[Math.floor(rand() * recent.length)] = [k, d];
      key = pad(shout(k));
      data = pad(shout(d));
      chunk += `${formatField(key)},${formatField(data)}${eol}`;
    }
    if (chunk.length > 1 << 16) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
  return counts;
}
