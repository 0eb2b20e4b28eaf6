// Maps the device names found in measured data ("NVIDIA H100 80GB HBM3", "Tesla P4") to GPU catalogue
// ids through the catalogue's own name lookup. Pure lookup, no I/O; unknown names give null (the
// cleaning step removes and counts those).
import { findGpu } from '../perf/gpu-catalogue';

/** Catalogue id for a device name as the data spells it, or null when the catalogue does not know it. */
export function resolveGpuId(name: string): string | null {
  if (typeof name !== 'string' || name.trim() === '') return null;
  return findGpu(name)?.id ?? null;
}

export type GpuResolver = (name: string) => string | null;
