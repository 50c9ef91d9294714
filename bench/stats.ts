/** Small statistics helpers shared by the benchmarks. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** Runs `measure` once to warm up, then `runs` times, and returns the median. */
export async function medianOf(runs: number, measure: () => Promise<number> | number): Promise<number> {
  await measure();
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(await measure());
  return median(values);
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Every benchmark ends by printing one JSON line: what `npm run bench` collects. */
export function report(name: string, figures: Record<string, unknown>): void {
  console.log(JSON.stringify({ benchmark: name, ...figures }));
}
