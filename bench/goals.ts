/** One of the goals, with the figure this run measured (undefined when its section did not run). */
export interface Goal {
  what: string;
  /** The measured figure, e.g. a ratio or MiB. */
  value: number | undefined;
  /** At most this. */
  target: number;
  /** How the figure and target are written, e.g. `×` or ` MiB`. */
  unit: string;
}

const show = (n: number, unit: string) => (unit === "×" ? `${n.toFixed(2)}×` : `${Math.round(n)}${unit}`);

/** A Markdown table of the goals: the figure, the target and whether this run met it. */
export function formatGoals(goals: readonly Goal[]): string {
  const lines = ["| goal | measured | target | met |", "| --- | --- | --- | --- |"];
  for (const g of goals) {
    const measured = g.value === undefined || Number.isNaN(g.value) ? "not measured" : show(g.value, g.unit);
    const met = g.value === undefined || Number.isNaN(g.value) ? "" : g.value <= g.target ? "yes" : "no";
    lines.push(`| ${g.what} | ${measured} | ≤ ${show(g.target, g.unit)} | ${met} |`);
  }
  return lines.join("\n");
}
