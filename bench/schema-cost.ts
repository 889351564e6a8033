/**
 * What the arktype record rules cost on the job's hot path: the transform engine asks
 * `rules.allows(facts)` once per row (batch-transform.ts). Times that call over a mix of facts
 * like a real file's (about 1% refused), against the same conditions written by hand, and
 * checks the two agree on every fact they judge.
 */
import { createRecordRules, REDSHIFT_MAX_VARCHAR_BYTES, type RecordFacts } from "../task/src/records/record-schema.ts";

export interface SchemaCost {
  arktypeNsPerRow: number;
  handNsPerRow: number;
}

/** The rules' conditions, by hand: for comparison only, the job never uses this. */
function handRules(f: RecordFacts, max: number): boolean {
  return !f.unterminatedQuote && f.extraFields === 0 && f.invalidUtf8 === "" && f.keyBytes >= 1 && f.keyBytes <= max && f.dataBytes >= 1 && f.dataBytes <= max;
}

/** Facts of `n` rows: field lengths of a generated file, one row in a hundred refused for a reason of its own. */
function sampleFacts(n: number): RecordFacts[] {
  const facts: RecordFacts[] = [];
  for (let i = 0; i < n; i++) {
    const f: RecordFacts = { unterminatedQuote: false, extraFields: 0, invalidUtf8: "", keyBytes: 10 + (i % 23), dataBytes: 40 + (i % 31) };
    if (i % 100 === 7) f.keyBytes = 0;
    if (i % 100 === 31) f.dataBytes = 0;
    if (i % 100 === 59) f.extraFields = 1;
    if (i % 1000 === 3) f.dataBytes = REDSHIFT_MAX_VARCHAR_BYTES + 1;
    facts.push(f);
  }
  return facts;
}

/** Nanoseconds a call, the best of `rounds` passes over `facts` (after one warm-up pass). */
function timePerCall(facts: readonly RecordFacts[], judge: (f: RecordFacts) => boolean, rounds: number): { ns: number; verdicts: boolean[] } {
  const verdicts = facts.map(judge);
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    let allowed = 0;
    const t0 = process.hrtime.bigint();
    for (const f of facts) if (judge(f)) allowed++;
    const ns = Number(process.hrtime.bigint() - t0) / facts.length;
    if (allowed < 0) throw new Error("unreachable"); // keeps the loop's result alive
    best = Math.min(best, ns);
  }
  return { ns: best, verdicts };
}

/** @throws when the hand-written rules and arktype disagree on any of the facts. */
export function measureSchemaCost(rows = 1_000_000, rounds = 5): SchemaCost {
  const facts = sampleFacts(rows);
  const rules = createRecordRules({ maxFieldBytes: REDSHIFT_MAX_VARCHAR_BYTES });
  const arktype = timePerCall(facts, (f) => rules.allows(f), rounds);
  const hand = timePerCall(facts, (f) => handRules(f, REDSHIFT_MAX_VARCHAR_BYTES), rounds);
  const differs = arktype.verdicts.findIndex((v, i) => v !== hand.verdicts[i]);
  if (differs >= 0) throw new Error(`arktype and the hand-written rules disagree on ${JSON.stringify(facts[differs])}`);
  return { arktypeNsPerRow: arktype.ns, handNsPerRow: hand.ns };
}
