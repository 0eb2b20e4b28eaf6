// `tilecast profile retrain --json` through the bundled CLI (dist/cli.js, as the editor runs it): stdout
// is one JSON document, progress and the dataset loader's report go to stderr. Bundled, every inlined
// module sees require.main === module, so a script's main() guarded only by that ran inside the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROFILE_SCHEMA, type ProfileRecord } from '../server/src/data/profile-record';
import { appendProfiles } from '../server/src/platform/profile-store';

const cli = join(__dirname, '..', 'dist', 'cli.js');
const skip = existsSync(cli) ? false : 'dist/cli.js not built: run `npm run build` first';

function retrain(workspace: string, datasets: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'profile', 'retrain', '--json', '--workspace', workspace, '--datasets', datasets], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('profile retrain --json: stdout is one JSON document, the loader report and progress go to stderr', { skip }, () => {
  const workspace = mkdtempSync(join(tmpdir(), 'tilecast-retrain-json-'));
  const datasets = join(workspace, 'datasets');
  mkdirSync(datasets);
  try {
    const failed = retrain(workspace, datasets);
    assert.equal(failed.status, 1, failed.stderr);
    assert.equal(failed.stdout, '', 'nothing but the JSON answer on stdout');
    assert.match(failed.stderr, /need at least 8 profile records/);
    const records: ProfileRecord[] = [];
    for (const size of [512, 768, 1024, 1536, 2048, 3072, 4096]) {
      for (const tile of [8, 16, 32]) {
        records.push({
          schema: PROFILE_SCHEMA,
          gpu: 'rtx-4090',
          gpuName: 'NVIDIA GeForce RTX 4090',
          dtype: 'fp32',
          m: size,
          n: size,
          k: size,
          batch: 1,
          kernel: 'tiled',
          params: { TILE: tile },
          grid: [Math.ceil(size / tile), Math.ceil(size / tile), 1],
          block: [tile, tile, 1],
          runtimeMs: 2e-9 * size ** 3 * (1 + 8 / tile),
          clockPolicy: 'default',
          timestamp: '2026-12-05T20:00:00Z',
          tool: 'test',
        });
      }
    }
    appendProfiles({ dir: join(workspace, '.tilecast', 'profiles') }, records);
    const ok = retrain(workspace, datasets);
    assert.equal(ok.status, 0, ok.stderr);
    const answer = JSON.parse(ok.stdout) as { modelDir: string; strategy: string };
    assert.equal(answer.modelDir, join(workspace, '.tilecast', 'models'));
    assert.match(ok.stderr, /datasets root|records parsed|% /, 'progress on stderr');
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});
