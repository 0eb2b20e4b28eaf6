// Noise floor of the measurements: the same GPU, dtype and shape measured by two series (framework
// versions, files) disagree by this much, so no model can score better on that data. Pure; no I/O.
import { summarizeApe, type ApeSummary } from './metrics';

export interface Measurement {
  /** What must match for two measurements to be of the same thing (gpu, dtype, shape, condition). */
  key: string;
  /** Which series measured it (framework + version, file). */
  series: string;
  /** Slice for the summary, e.g. "aiconfigurator bf16". */
  slice: string;
  value: number;
}

/**
 * Per slice, the APE of predicting one series' value by another's for the same key: for every key
 * measured by at least two series, the two first series in name order, |a − b| / b.
 */
export function seriesDisagreement(ms: readonly Measurement[]): Array<{ slice: string } & ApeSummary> {
  const byKey = new Map<string, Map<string, Measurement>>();
  for (const m of ms) {
    let s = byKey.get(m.key);
    if (!s) byKey.set(m.key, (s = new Map()));
    if (!s.has(m.series)) s.set(m.series, m);
  }
  const pred = new Map<string, number[]>();
  const actual = new Map<string, number[]>();
  for (const s of byKey.values()) {
    if (s.size < 2) continue;
    const [a, b] = [...s.keys()]
      .sort()
      .slice(0, 2)
      .map((k) => s.get(k)!);
    if (!pred.has(b.slice)) {
      pred.set(b.slice, []);
      actual.set(b.slice, []);
    }
    pred.get(b.slice)!.push(a.value);
    actual.get(b.slice)!.push(b.value);
  }
  return [...pred.keys()].sort().map((slice) => ({ slice, ...summarizeApe(pred.get(slice)!, actual.get(slice)!) }));
}
