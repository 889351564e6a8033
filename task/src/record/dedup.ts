/**
 * Exact in-memory dedup of normalised records, first occurrence wins.
 *
 * Records are identified by their clean CSV line, which is unambiguous (RFC 4180 quoting is
 * reversible) and already built for the output. V8 caps a Set at 2^24 entries, so the
 * seen-set grows as a list of Sets.
 */
export class Deduplicator {
  private static readonly SET_LIMIT = 1 << 24;
  private readonly sets: Set<string>[] = [new Set()];
  private current: Set<string> = this.sets[0]!;

  /** True the first time `id` is offered, false for every repeat. */
  firstSeen(id: string): boolean {
    for (let i = 0; i < this.sets.length; i++) if (this.sets[i]!.has(id)) return false;
    if (this.current.size >= Deduplicator.SET_LIMIT - 1) {
      this.current = new Set();
      this.sets.push(this.current);
    }
    this.current.add(id);
    return true;
  }

  /** Number of distinct records seen. */
  get size(): number {
    return this.sets.reduce((n, s) => n + s.size, 0);
  }
}
