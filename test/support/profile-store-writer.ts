// A profile-store writer process for the crash-safety and concurrency tests: appends batches of 1-3
// records in a loop, prints "committed <id> <count>" once each append has returned (durable), and
// compacts the store every few appends. Bundled by the test with esbuild so it starts quickly.
import { writeSync } from 'node:fs';
import { appendProfiles, compactStore } from '../../server/src/platform/profile-store';
import type { ProfileRecord } from '../../server/src/data/profile-record';

const [dir, countText, tag] = process.argv.slice(2);
const count = Number(countText);
const store = { dir };
writeSync(1, 'ready\n');
for (let seq = 0; seq < count; seq++) {
  const n = 1 + (seq % 3);
  const records: ProfileRecord[] = [];
  for (let j = 0; j < n; j++) {
    records.push({
      schema: 'tilecast-profile/1',
      gpu: 'h100-sxm',
      gpuName: 'NVIDIA H100 80GB HBM3',
      dtype: 'fp32',
      m: 1024 + seq,
      n: 512,
      k: 256,
      batch: 1,
      kernel: 'tiled',
      params: { TILE: 16 },
      grid: [32, 64, 1],
      block: [16, 16, 1],
      runtimeMs: 0.5 + j,
      runtimeSamplesMs: Array.from({ length: 40 }, (_, i) => 0.5 + i / 100),
      clockPolicy: 'default',
      timestamp: '2026-12-05T19:00:00Z',
      tool: 'store-writer',
      kernelName: `${tag}-${seq}-${j}-of-${n}`,
    });
  }
  const { id } = appendProfiles(store, records);
  writeSync(1, `committed ${id} ${n}\n`);
  if (seq % 7 === 6) compactStore(store, { force: true });
}
