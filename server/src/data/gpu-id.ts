// Maps the device names found in measured data ("NVIDIA H100 80GB HBM3", "Tesla P4") to GPU catalogue
// ids. Pure lookup; no I/O. Returns null for unknown names (the cleaning step removes and counts those).

/** Names seen in the shared datasets, normalised by `normaliseGpuName`, to catalogue ids. */
const LOCAL_IDS: Record<string, string> = {
  'a100-sxm4-80gb': 'a100-sxm4-80gb',
  'a100-pcie-40gb': 'a100-pcie-40gb',
  'a100-80gb-pcie': 'a100-pcie-80gb',
  'a100-pcie-80gb': 'a100-pcie-80gb',
  'h100-80gb-hbm3': 'h100-sxm',
  'h100-sxm': 'h100-sxm',
  'h100-sxm5-80gb': 'h100-sxm',
  'h200': 'h200',
  'h200-sxm': 'h200',
  'b200': 'b200',
  'b300': 'b300',
  'b300-sxm6-ac': 'b300',
  'gb300': 'gb300',
  'rtx-pro-6000-blackwell-server-edition': 'rtx-pro-6000-server',
  'rtx-pro-6000-server': 'rtx-pro-6000-server',
  'p100-pcie-16gb': 'p100-pcie-16gb',
  'p4': 'p4',
  't4': 't4',
  'v100-pcie-32gb': 'v100-pcie-32gb',
  'l4': 'l4',
  'rtx-2080-ti': 'rtx-2080-ti',
  'rtx-3090': 'rtx-3090',
  'titan-rtx': 'titan-rtx',
  'rtx-titan': 'titan-rtx',
};

/** "NVIDIA GeForce RTX 2080 Ti" -> "rtx-2080-ti": lower case, vendor/brand words dropped, kebab-case. */
export function normaliseGpuName(name: string): string {
  return name
    .toLowerCase()
    .replace(/\b(nvidia|tesla|geforce|quadro)\b/g, ' ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Catalogue id for a device name as the data spells it, or null when unknown. */
export function resolveGpuId(name: string): string | null {
  if (typeof name !== 'string' || name.trim() === '') return null;
  return LOCAL_IDS[normaliseGpuName(name)] ?? null;
}

export type GpuResolver = (name: string) => string | null;
