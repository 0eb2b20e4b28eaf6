// The prediction for each measured profile record (issue 10): measured against predicted in the
// editor's notification and the profiles table. Plain records and an injected predictor in, plain
// numbers out; no I/O. The server answers tilecast/predictProfiles with it (lsp/profile-requests.ts).
import { profileToGemmRecord, validateProfileRecord } from '../data/profile-record';
import { recordToWorkload } from '../data/to-workload';
import { findGpu } from '../perf/gpu-catalogue';
import type { GemmPredictor } from './prediction';

export interface ProfilePredictionValue {
  /** Predicted runtime with its interval, ms; null when there is no prediction (then `error`). */
  runtimeMs: { value: number; lo: number; hi: number } | null;
  error?: string;
}

/** One answer per input, in order; a value that is not a valid tilecast-profile/1 record says why. */
export function predictProfiles(records: readonly unknown[], predictor: GemmPredictor | null, modelError: string | null): ProfilePredictionValue[] {
  return records.map((value): ProfilePredictionValue => {
    const checked = validateProfileRecord(value);
    if (!checked.ok) return { runtimeMs: null, error: `not a profile record: ${checked.reason}` };
    const record = checked.value;
    const gpu = findGpu(record.gpu || record.gpuName);
    if (!gpu) return { runtimeMs: null, error: `${record.gpuName} is not in the GPU catalogue` };
    if (!predictor) return { runtimeMs: null, error: modelError ?? 'no model loaded' };
    const p = predictor.predict(recordToWorkload(profileToGemmRecord(record, 'measured')), gpu);
    if (!Number.isFinite(p.runtimeMs)) return { runtimeMs: null, error: p.error ?? 'the model gave no runtime' };
    return { runtimeMs: { value: p.runtimeMs, lo: p.runtimeLoMs, hi: p.runtimeHiMs } };
  });
}
