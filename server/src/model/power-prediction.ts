// Power in watts from the power forest's output (target space) for one workload: either the older
// fraction-of-board-power target, or the physics power model (perf/power-model.ts) times the forest's
// correction weighted by λ, with the interval scaled per size band (model/power-bands.ts). Both settings
// come from the power artifact; pure arithmetic, no I/O, never throws.
import type { ModelArtifact } from './artifact';
import { fromTarget, type TargetTransform } from './targets';
import { bandIndex, parsePowerBandScales, rescaleInterval, type PowerBandScales } from './power-bands';

/** What the predictor needs from the power artifact, read once when it is loaded. */
export interface PowerSettings {
  transform: TargetTransform;
  /** Weight of the forest's correction to the physics power (1 when the artifact does not say). */
  lambda: number;
  /** Per-band interval scales (null: the artifact's single calibration scale applies). */
  bands: PowerBandScales | null;
  /** The artifact's pooled calibration scale at the served level (what `predict` already applied). */
  pooledScale: number;
}

export function powerSettingsOf(model: ModelArtifact, level: number): PowerSettings {
  const t = (model.training ?? {}) as Record<string, unknown>;
  const lam = t.powerCorrectionWeight;
  const cal = (model.calibration ?? []).find((c) => Math.abs(c.level - level) < 1e-9);
  return {
    transform: model.target.transform as TargetTransform,
    lambda: typeof lam === 'number' && Number.isFinite(lam) && lam >= 0 && lam <= 1 ? lam : 1,
    bands: parsePowerBandScales(t.powerBandScales),
    pooledScale: cal ? cal.scale : 1,
  };
}

/** Power fractions are clamped to (0, 1]: a GEMM cannot draw more than the board's limit for long. */
const fraction = (v: number) => Math.min(1, Math.max(0.01, v));

/**
 * Power W and its interval from the forest output `p` (mean, lo, hi in target space, `lo`/`hi` already
 * scaled by the artifact's pooled calibration). `physicsW` is the physics model's power, `flops` the GEMM's
 * operations (for the size band). Results are clamped to (1%, 100%] of the board power `limitW`.
 */
export function powerFromForest(
  s: PowerSettings,
  p: { mean: number; lo: number; hi: number },
  limitW: number,
  physicsW: number,
  flops: number,
): { powerW: number; powerLoW: number; powerHiW: number } {
  const clampW = (w: number) => limitW * fraction(w / limitW);
  if (s.transform !== 'log-ratio-to-physics-power') {
    return {
      powerW: fromTarget('fraction-of-power-limit', fraction(p.mean), limitW),
      powerLoW: fromTarget('fraction-of-power-limit', fraction(p.lo), limitW),
      powerHiW: fromTarget('fraction-of-power-limit', fraction(p.hi), limitW),
    };
  }
  if (!(physicsW > 0)) return { powerW: NaN, powerLoW: NaN, powerHiW: NaN };
  const mean = s.lambda * p.mean;
  let lo = mean - Math.max(0, p.mean - p.lo);
  let hi = mean + Math.max(0, p.hi - p.mean);
  if (s.bands) [lo, hi] = rescaleInterval(mean, lo, hi, s.pooledScale, s.bands.scales[bandIndex(s.bands.edgesGflop, flops)]);
  return {
    powerW: clampW(fromTarget(s.transform, mean, physicsW)),
    powerLoW: clampW(fromTarget(s.transform, lo, physicsW)),
    powerHiW: clampW(fromTarget(s.transform, hi, physicsW)),
  };
}
