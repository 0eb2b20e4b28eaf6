// How the correction weight λ moves each held-out GPU: per kernel-family group and held-out GPU, the
// median APE (device time, the applicability decay included, as the eval's λ fit sees it) at every λ of
// LAMBDAS, the analytic model alone at λ = 0, and the λ the eval picks for that GPU from the other GPUs.
// Shows where no λ fitted on other GPUs keeps a GPU no worse than the analytic model (issue 9's goal).
// Run: node --max-old-space-size=6144 --import tsx models/scripts/lambda-curves.ts [--seed N]  (~2 min)
// Reads the datasets; writes nothing.
import { leaveOneGroupOut } from '../evaluation/splits';
import { assessRun, LAMBDAS, lambdasFrom, medianTable } from './correction-shrink';
import { EVAL_POOL_CAP, EVAL_RUNTIME_FOREST, EVAL_TRAIN_CAP, runFolds } from './eval-protocols';
import { designFor, loadAll, runtimeIndices, runtimeTargets, SEED } from './pipeline';
import { FAMILY_GROUPS } from '../../server/src/model/applicability';

async function main(): Promise<void> {
  const i = process.argv.indexOf('--seed');
  const seed = i >= 0 ? Number(process.argv[i + 1]) : SEED;
  const L = await loadAll();
  const d = designFor(L.records, runtimeIndices(L.records, EVAL_POOL_CAP, SEED, { allKernelTuner: true }));
  const y = runtimeTargets(d, 'log-ratio-to-analytic');
  const runs = await runFolds(d, y, leaveOneGroupOut(d.tags.map((t) => t.gpu)), EVAL_RUNTIME_FOREST, EVAL_TRAIN_CAP, () => {}, seed);
  const assessed = runs.map((r) => ({ ...r, applicability: r.domain ? assessRun(d, { ...r, domain: r.domain }) : [] }));
  const table = medianTable(d, assessed);
  console.log(`seed ${seed}; median APE % (device time) at λ = ${LAMBDAS.join(' / ')}\n`);
  console.log(`| group | held-out GPU | ${LAMBDAS.map((l) => `λ ${l}`).join(' | ')} | λ picked | picked − analytic |`);
  console.log(`|---|---|${LAMBDAS.map(() => '---:').join('|')}|---:|---:|`);
  for (const group of FAMILY_GROUPS) {
    for (const [key, entry] of [...table[group]].sort()) {
      const picked = lambdasFrom(table, (run) => run !== entry.run)[group];
      const j = LAMBDAS.indexOf(picked);
      const cells = entry.medians.map((m) => (m * 100).toFixed(1));
      console.log(`| ${group} | ${key.split('|')[1]} | ${cells.join(' | ')} | ${picked} | ${((entry.medians[j]! - entry.medians[0]!) * 100).toFixed(1)} |`);
    }
  }
}

void main();
