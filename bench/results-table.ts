/** One program's results at one size and output kind. */
export interface ResultRow {
  size: string;
  kind: string;
  program: string;
  /** Wall time of each round, ms. */
  wallMs: number[];
  /** Peak RSS of each round, bytes. */
  peakRssBytes: number[];
  rows: number;
  inputBytes: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The median over rounds of `f(a[i], b[i])`: two programs measured in the same rounds (taking
 * turns), compared round by round, so a slow minute of a shared machine moves both sides of a
 * pair rather than one side's median. E.g. a codec's cost, `(d, n) => d - n`.
 */
export function medianPaired(a: readonly number[], b: readonly number[], f: (x: number, y: number) => number): number {
  if (a.length !== b.length) throw new Error(`paired rounds differ in number: ${a.length} and ${b.length}`);
  return median(a.map((x, i) => f(x, b[i]!)));
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
const perSecond = (n: number, ms: number) => (n / (ms / 1000) / 1e6).toFixed(2);

/**
 * A Markdown table: median wall time, peak RSS (the largest of the rounds), rows/s, MB/s,
 * and for the job the ratio of its median to each peer's at the same size and kind (below 1
 * means the job is faster).
 */
export function formatResults(rows: readonly ResultRow[], jobName = "job"): string {
  const peers = [...new Set(rows.map((r) => r.program).filter((p) => p !== jobName))];
  const header = ["size", "output", "program", "median wall", "peak RSS", "M rows/s", "MB/s", ...peers.map((p) => `job / ${p}`)];
  const lines = [header, header.map(() => "---")];
  for (const r of rows) {
    const wall = median(r.wallMs);
    const ratios = peers.map((p) => {
      if (r.program !== jobName) return "";
      const peer = rows.find((x) => x.size === r.size && x.kind === r.kind && x.program === p);
      return peer && peer.wallMs.length ? (wall / median(peer.wallMs)).toFixed(2) : "n/a";
    });
    lines.push([r.size, r.kind, r.program, seconds(wall), mib(Math.max(...r.peakRssBytes)), perSecond(r.rows, wall), perSecond(r.inputBytes, wall), ...ratios]);
  }
  return lines.map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}
