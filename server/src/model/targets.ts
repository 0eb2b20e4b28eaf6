// Target transforms of the shipped models, shared by training (models/scripts) and serving
// (predictor.ts) so both sides invert exactly what was fitted. Pure arithmetic; no I/O, never throws.

/**
 * Runtime targets. 'log-ratio-to-analytic': y = ln(runtimeMs / analyticTimeMs), the forest learns the
 * analytic model's error, which transfers across GPUs better than absolute times. 'log': y = ln(runtimeMs).
 */
export type RuntimeTransform = 'log-ratio-to-analytic' | 'log';

/**
 * Power targets. 'fraction-of-power-limit': y = powerW / powerLimitW (the catalogue board power at serving
 * time). 'log-ratio-to-physics-power': y = ln(powerW / physics power) (server/src/perf/power-model.ts), the
 * forest learns the physics model's error, as the runtime forest learns the analytic model's.
 */
export type PowerTransform = 'fraction-of-power-limit' | 'log-ratio-to-physics-power';

export type TargetTransform = RuntimeTransform | PowerTransform;

export const TARGET_TRANSFORMS: readonly TargetTransform[] = ['log-ratio-to-analytic', 'log', 'fraction-of-power-limit', 'log-ratio-to-physics-power'];

export function isTargetTransform(v: unknown): v is TargetTransform {
  return typeof v === 'string' && (TARGET_TRANSFORMS as readonly string[]).includes(v);
}

/**
 * Forward transform: natural value → model target. `reference` is the analytic time in ms for
 * 'log-ratio-to-analytic', the power limit in W for 'fraction-of-power-limit', the physics power in W for
 * 'log-ratio-to-physics-power', ignored for 'log'. NaN when the
 * inputs cannot be transformed (non-positive values).
 */
export function toTarget(transform: TargetTransform, value: number, reference: number): number {
  switch (transform) {
    case 'log-ratio-to-analytic':
    case 'log-ratio-to-physics-power':
      return value > 0 && reference > 0 ? Math.log(value / reference) : NaN;
    case 'log':
      return value > 0 ? Math.log(value) : NaN;
    case 'fraction-of-power-limit':
      return reference > 0 && Number.isFinite(value) ? value / reference : NaN;
    default:
      return NaN;
  }
}

/** Inverse transform: model target → natural value (ms or W). Monotone increasing in y. */
export function fromTarget(transform: TargetTransform, y: number, reference: number): number {
  switch (transform) {
    case 'log-ratio-to-analytic':
    case 'log-ratio-to-physics-power':
      return reference > 0 ? reference * Math.exp(y) : NaN;
    case 'log':
      return Math.exp(y);
    case 'fraction-of-power-limit':
      return reference > 0 ? y * reference : NaN;
    default:
      return NaN;
  }
}
