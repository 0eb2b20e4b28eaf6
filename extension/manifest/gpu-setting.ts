// The manifest schema of the `tilecast.gpus` setting, generated from the GPU catalogue (models/gpus.json):
// an enum of catalogue ids with a description per GPU, or a name as nvidia-smi prints it (the server
// resolves names and aliases). Pure: `update-gpu-setting.ts` writes it into package.json, a test compares.
import type { GpuSpec } from '../../server/src/perf/types';

/** Names as nvidia-smi prints them start with a capital letter ("NVIDIA GeForce RTX 4090", "Tesla V100-SXM2-32GB");
 * lower-case text must be a catalogue id, so a mistyped id (`rtx-4091`) is flagged in settings.json. */
export const GPU_NAME_PATTERN = '^\\s*[A-Z]';

export interface GpuSettingSchema {
  type: 'array';
  items: {
    type: 'string';
    anyOf: [{ enum: string[]; enumItemLabels: string[]; markdownEnumDescriptions: string[] }, { pattern: string; patternErrorMessage: string }];
  };
  default: string[];
  uniqueItems: true;
  markdownDescription: string;
  order: number;
}

function figure(value: number | undefined, unit: string): string {
  return value === undefined ? `? ${unit}` : `${value} ${unit}`;
}

/** One line per GPU, as the settings.json completion and hover show it. */
export function gpuDescription(gpu: GpuSpec): string {
  return [
    `**${gpu.name}**`,
    `${gpu.architecture} (sm_${gpu.computeCapability.replace('.', '')})`,
    `${figure(gpu.memorySizeGB?.value, 'GB')} ${gpu.memoryType}`,
    figure(gpu.memoryBandwidthGBps?.value, 'GB/s'),
    `FP32 ${figure(gpu.peak.fp32?.value, 'TFLOP/s')}`,
  ].join(' · ');
}

export function gpuSettingSchema(gpus: readonly GpuSpec[], defaultGpus: readonly string[]): GpuSettingSchema {
  return {
    type: 'array',
    items: {
      type: 'string',
      anyOf: [
        { enum: gpus.map((g) => g.id), enumItemLabels: gpus.map((g) => g.name), markdownEnumDescriptions: gpus.map(gpuDescription) },
        {
          pattern: GPU_NAME_PATTERN,
          patternErrorMessage:
            'A catalogue id (e.g. rtx-4090; TileCast: Select Target GPUs lists them) or the name as nvidia-smi prints it (e.g. NVIDIA GeForce RTX 4090).',
        },
      ],
    },
    default: [...defaultGpus],
    uniqueItems: true,
    markdownDescription:
      'GPUs to predict for: catalogue ids (`rtx-4090`, `h100-sxm`, …) or names as `nvidia-smi` prints them. The first is the primary GPU (inlay hints, status bar). Pick from the catalogue with **TileCast: Select Target GPUs** or by clicking the status-bar item.',
    order: 0,
  };
}

/** Whether the schema takes `value` as one item (anyOf: an id of the enum, or a name the pattern admits). */
export function acceptsGpu(schema: GpuSettingSchema, value: string): boolean {
  const [ids, names] = schema.items.anyOf;
  return ids.enum.includes(value) || new RegExp(names.pattern, 'u').test(value);
}
