// Sample answers of the chart requests (protocol.ts shapes), for the webview page test: plausible
// numbers only, since the page test checks drawing, theming, CSP and saving, not predictions.
import type { CompareGpusResult, RooflineResult, TileSweepResult } from '../../server/src/ide/protocol';

export const ROOFLINE: RooflineResult = {
  title: 'matmul_tiled at tiled_matmul.cu:33',
  dtype: 'fp32',
  roofs: [
    { gpuId: 'rtx-4090', gpuName: 'NVIDIA GeForce RTX 4090', peakTflops: 82.6, bandwidthGBps: 1008 },
    { gpuId: 'h100-sxm', gpuName: 'NVIDIA H100 SXM5', peakTflops: 66.9, bandwidthGBps: 3350 },
  ],
  points: [
    { gpuId: 'rtx-4090', label: 'matmul_tiled', arithmeticIntensity: 4.0, tflops: { value: 4.66, lo: 3.96, hi: 5.39 } },
    { gpuId: 'h100-sxm', label: 'matmul_tiled', arithmeticIntensity: 4.0, tflops: { value: 6.1, lo: 4.9, hi: 7.6 } },
  ],
};

const tiles = [8, 16, 32, 64];
export const TILE_SWEEP: TileSweepResult = {
  title: 'TILE sweep for matmul_tiled on RTX 4090',
  gpuId: 'rtx-4090',
  xName: 'TILE_X',
  yName: 'TILE_Y',
  xValues: tiles,
  yValues: tiles,
  cells: tiles.flatMap((x) =>
    tiles.map((y) =>
      x * y > 1024
        ? { x, y, timeMs: null, illegalReason: `${x * y} threads per block (limit 1,024)` }
        : { x, y, timeMs: { value: 40 / Math.sqrt(x * y), lo: 34 / Math.sqrt(x * y), hi: 47 / Math.sqrt(x * y) } },
    ),
  ),
  current: { x: 16, y: 16 },
  suggested: { x: 32, y: 32 },
};

export const COMPARE: CompareGpusResult = {
  title: 'matmul_tiled on 4 GPUs',
  rows: [
    {
      gpuId: 'rtx-4090',
      gpuName: 'NVIDIA GeForce RTX 4090',
      timeMs: { value: 29.5, lo: 25.5, hi: 34.7 },
      powerW: { value: 365, lo: 330, hi: 400 },
      energyMj: { value: 10800, lo: 9000, hi: 12500 },
    },
    {
      gpuId: 'h100-sxm',
      gpuName: 'NVIDIA H100 SXM5',
      timeMs: { value: 22.1, lo: 17.0, hi: 28.0 },
      powerW: { value: 520, lo: 450, hi: 600 },
      energyMj: { value: 11500, lo: 9200, hi: 14000 },
      extrapolating: true,
    },
    {
      gpuId: 'a100-sxm4-80gb',
      gpuName: 'NVIDIA A100-SXM4-80GB',
      timeMs: { value: 35.0, lo: 30.0, hi: 41.0 },
      powerW: { value: 300, lo: 270, hi: 330 },
      energyMj: { value: 10500, lo: 9100, hi: 12000 },
    },
    { gpuId: 'gtx-680', gpuName: 'NVIDIA GeForce GTX 680', timeMs: null, powerW: null, energyMj: null, illegalReason: 'needs compute capability 3.5' },
  ],
};
