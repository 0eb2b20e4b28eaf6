// Writes the `tilecast.gpus` schema generated from the GPU catalogue into package.json (contributes).
// Run after editing models/gpus.json: `npm run manifest:gpus`; `--check` only reports a difference (exit 1).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listGpus } from '../../server/src/perf/gpu-catalogue';
import { DEFAULT_SETTINGS } from '../../server/src/ide/protocol';
import { gpuSettingSchema } from './gpu-setting';

const manifestPath = join(__dirname, '..', '..', 'package.json');
const text = readFileSync(manifestPath, 'utf8');
const manifest = JSON.parse(text) as { contributes: { configuration: { properties: Record<string, unknown> } } };
manifest.contributes.configuration.properties['tilecast.gpus'] = gpuSettingSchema(listGpus(), DEFAULT_SETTINGS.gpus);
const updated = `${JSON.stringify(manifest, null, 2)}\n`;
if (updated === text) console.log('package.json: tilecast.gpus matches the catalogue');
else if (process.argv.includes('--check')) {
  console.error('package.json: tilecast.gpus differs from the catalogue; run npm run manifest:gpus');
  process.exitCode = 1;
} else {
  writeFileSync(manifestPath, updated);
  console.log(`package.json: tilecast.gpus now lists ${listGpus().length} catalogue GPUs`);
}
