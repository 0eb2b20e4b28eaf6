// Plain text for the output channel and the status bar, from the server's `tilecast/status`
// notification. No VS Code API here, so it is tested without an editor (test/extension-manifest.test.ts).
import type { GpuSummary, StatusParams } from '../../server/src/ide/protocol';

/** The lines written to the "TileCast" output channel on every server start (and status change); the
 * server logs its own `message` through the LSP log, so it is not repeated here. */
export function statusLines(status: StatusParams): string[] {
  const model = status.model.ok
    ? `model runtime ${status.model.runtimeFingerprint.slice(0, 12)}, power ${status.model.powerFingerprint.slice(0, 12)} (${status.model.dir})`
    : `model unavailable: ${status.model.error} (analytic estimates only)`;
  const gpus = status.gpus.length > 0 ? status.gpus.map((g) => `${g.name} [${g.id}]`).join(', ') : 'none';
  const lines = [`TileCast server ${status.serverVersion} · ${model} · GPUs: ${gpus}`];
  for (const unknown of status.unknownGpus) {
    const hint = unknown.suggestions.length > 0 ? `; did you mean ${unknown.suggestions.join(', ')}?` : '';
    lines.push(`tilecast.gpus: "${unknown.name}" is not in the catalogue${hint}`);
  }
  return lines;
}

/** Status-bar text: the primary GPU, or the first configured id before the server has answered. */
export function statusBarText(status: StatusParams | null, configuredGpus: readonly string[]): string {
  const primary = status?.gpus[0]?.name ?? configuredGpus[0] ?? 'no GPU';
  const more = (status?.gpus.length ?? configuredGpus.length) - 1;
  return `$(circuit-board) ${primary.replace(/^NVIDIA /, '')}${more > 0 ? ` +${more}` : ''}`;
}

function figure(value: number | null, unit: string): string {
  return value === null ? `? ${unit}` : `${value} ${unit}`;
}

/** Quick-pick rows for the catalogue: name, then architecture and compute capability, then memory and peaks. */
export function catalogueItem(gpu: GpuSummary): { label: string; description: string; detail: string } {
  return {
    label: gpu.name,
    description: `${gpu.id} · ${gpu.architecture} · sm_${gpu.computeCapability.replace('.', '')}`,
    detail: [
      figure(gpu.memoryGB, 'GB'),
      figure(gpu.bandwidthGBps, 'GB/s'),
      `FP32 ${figure(gpu.fp32Tflops, 'TFLOP/s')}`,
      ...(gpu.tensorTflops === null ? [] : [`tensor ${gpu.tensorTflops} TFLOP/s`]),
    ].join(' · '),
  };
}
