// Tests of the GPU catalogue: lookup by the names our data sets and nvidia-smi use, suggestions for
// unknown names, completeness and internal consistency of every entry, and device overrides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyDeviceOverrides, catalogueProblems, findGpu, listGpus, nameKeys, parseCatalogue, resolveGpu, suggestGpus } from './gpu-catalogue';
import catalogueJson from '../../../models/gpus.json';
import type { GpuSpec, PeakThroughput, Sourced } from './types';

const gpus = listGpus();
// The shared data sets sit beside the project (datasets/README.md); the cross-check is skipped without them.
const NEUSIGHT_CONFIGS = join(__dirname, '..', '..', '..', '..', 'shared', 'datasets', 'neusight', 'device_configs');
const byId = (id: string): GpuSpec => {
  const gpu = gpus.find((g) => g.id === id);
  assert.ok(gpu, `catalogue has ${id}`);
  return gpu;
};

test('the catalogue loads without problems and holds at least 45 GPUs with unique ids', () => {
  assert.deepEqual(catalogueProblems(), []);
  assert.ok(gpus.length >= 45, `${gpus.length} GPUs`);
  assert.equal(new Set(gpus.map((g) => g.id)).size, gpus.length);
  for (const gpu of gpus) assert.match(gpu.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, gpu.id);
});

test('listGpus is stable and its records cannot be mutated by callers', () => {
  assert.deepEqual(
    listGpus().map((g) => g.id),
    gpus.map((g) => g.id),
  );
  const first = listGpus()[0];
  assert.throws(() => {
    (first.smCount as { value: number }).value = 1;
  });
  listGpus().pop();
  assert.equal(listGpus().length, gpus.length);
});

test('the data-set GPU ids exist', () => {
  const ids = [
    'a100-sxm4-80gb',
    'a100-sxm4-40gb',
    'a100-pcie-40gb',
    'a100-pcie-80gb',
    'h100-sxm',
    'h100-pcie',
    'h200',
    'b200',
    'b300',
    'gb300',
    'gb200',
    'rtx-pro-6000-server',
    'rtx-pro-6000',
    'p100-pcie-16gb',
    'p4',
    't4',
    'v100-pcie-32gb',
    'v100-sxm2',
    'l4',
    'rtx-2080-ti',
    'rtx-3090',
    'titan-rtx',
    'rtx-4090',
    'rtx-4070',
  ];
  for (const id of ids) assert.equal(findGpu(id)?.id, id);
});

test('the exact device strings of our data sets resolve to the right GPU', () => {
  const expected: Record<string, string> = {
    'NVIDIA A100-SXM4-80GB': 'a100-sxm4-80gb',
    'NVIDIA A100-PCIE-40GB': 'a100-pcie-40gb',
    'NVIDIA A100 80GB PCIe': 'a100-pcie-80gb',
    'NVIDIA A100-SXM4-40GB': 'a100-sxm4-40gb',
    'NVIDIA H100 80GB HBM3': 'h100-sxm',
    'NVIDIA H200': 'h200',
    'NVIDIA B200': 'b200',
    'NVIDIA B300 SXM6 AC': 'b300',
    'NVIDIA GB300': 'gb300',
    'NVIDIA RTX PRO 6000 Blackwell Server Edition': 'rtx-pro-6000-server',
    'NVIDIA L4': 'l4',
    'Tesla P100-PCIE-16GB': 'p100-pcie-16gb',
    'Tesla P4': 'p4',
    'Tesla T4': 't4',
    'Tesla V100-PCIE-32GB': 'v100-pcie-32gb',
    RTX_2080_Ti: 'rtx-2080-ti',
    RTX_3090: 'rtx-3090',
    RTX_Titan: 'titan-rtx',
    // Other NVML names.
    'NVIDIA GeForce RTX 3060 Laptop GPU': 'rtx-3060-laptop',
    'NVIDIA A10G': 'a10g',
    'Tesla V100-SXM2-32GB': 'v100-sxm2',
    'NVIDIA H100 PCIe': 'h100-pcie',
    'NVIDIA GeForce RTX 4090': 'rtx-4090',
    'NVIDIA RTX 6000 Ada Generation': 'rtx-6000-ada',
    'NVIDIA GB200': 'gb200',
    'NVIDIA TITAN Xp': 'titan-xp',
    'NVIDIA TITAN X (Pascal)': 'titan-x-pascal',
    'NVIDIA GeForce GTX TITAN X': 'gtx-titan-x',
  };
  for (const [name, id] of Object.entries(expected)) assert.equal(findGpu(name)?.id, id, name);
});

test('lookup ignores case, vendor words, punctuation and word order', () => {
  const cases: Array<[string, string]> = [
    ['h100 sxm5 80gb', 'h100-sxm'],
    ['H100 SXM5 80GB', 'h100-sxm'],
    ['NVIDIA H100-SXM5-80GB', 'h100-sxm'],
    ['geforce rtx-4090', 'rtx-4090'],
    ['RTX4090', 'rtx-4090'],
    ['  nvidia   GeForce  RTX 4070 ', 'rtx-4070'],
    ['Tesla T4', 't4'],
    ['NVIDIA T4', 't4'],
    ['A100 PCIe 80 GB', 'a100-pcie-80gb'],
    ['A100 80GB PCIe', 'a100-pcie-80gb'],
    ['a100_sxm4_40gb', 'a100-sxm4-40gb'],
    ['Titan RTX', 'titan-rtx'],
    ['rtx titan', 'titan-rtx'],
    ['GeForce GTX 680', 'gtx-680'],
    ['Tesla M40', 'm40'],
    ['RTX 3060 Laptop', 'rtx-3060-laptop'],
    ['RTX 3060', 'rtx-3060'],
    ['NVIDIA RTX PRO 6000 Blackwell Workstation Edition', 'rtx-pro-6000'],
  ];
  for (const [name, id] of cases) assert.equal(findGpu(name)?.id, id, name);
  assert.equal(findGpu(''), undefined);
  assert.equal(findGpu('NVIDIA'), undefined);
  assert.equal(findGpu('Radeon RX 7900 XTX'), undefined);
  assert.equal(findGpu(undefined as unknown as string), undefined);
});

test('every id, name and alias resolves to exactly its own GPU', () => {
  const owners = new Map<string, Set<string>>();
  for (const gpu of gpus) {
    for (const name of [gpu.id, gpu.name, ...gpu.aliases]) {
      assert.equal(findGpu(name)?.id, gpu.id, `${name} -> ${findGpu(name)?.id}, expected ${gpu.id}`);
      for (const key of nameKeys(name)) {
        const set = owners.get(key) ?? new Set();
        set.add(gpu.id);
        owners.set(key, set);
      }
    }
  }
  const shared = [...owners].filter(([, ids]) => ids.size > 1).map(([key, ids]) => `${key}: ${[...ids].join(', ')}`);
  assert.deepEqual(shared, []);
});

test('the GPUs the catalogue must cover are present, Kepler to Blackwell', () => {
  const names = [
    'GTX 680',
    'Tesla M40',
    'GTX Titan X',
    'Tesla P4',
    'Tesla P100-PCIE-16GB',
    'GTX 1080 Ti',
    'Titan X Pascal',
    'Titan Xp',
    'V100 PCIe 32GB',
    'V100 SXM2',
    'T4',
    'RTX 2080 Ti',
    'Titan RTX',
    'A100 PCIe 40GB',
    'A100 PCIe 80GB',
    'A100 SXM4 40GB',
    'A100 SXM4 80GB',
    'A10',
    'A10G',
    'A30',
    'A40',
    'RTX A6000',
    'RTX 3060',
    'RTX 3060 Laptop',
    'RTX 3070',
    'RTX 3080',
    'RTX 3090',
    'RTX 3090 Ti',
    'L4',
    'L40',
    'L40S',
    'RTX 4060',
    'RTX 4070',
    'RTX 4070 Ti',
    'RTX 4080',
    'RTX 4090',
    'RTX 6000 Ada',
    'H100 PCIe',
    'H100 SXM',
    'H200',
    'GH200',
    'B200',
    'B300',
    'GB200',
    'GB300',
    'RTX 5090',
    'RTX PRO 6000 Blackwell Workstation Edition',
    'RTX PRO 6000 Blackwell Server Edition',
  ];
  const missing = names.filter((n) => !findGpu(n));
  assert.deepEqual(missing, []);
  const architectures = new Set(gpus.map((g) => g.architecture));
  for (const arch of ['Kepler', 'Maxwell', 'Pascal', 'Volta', 'Turing', 'Ampere', 'Ada Lovelace', 'Hopper', 'Blackwell'])
    assert.ok(architectures.has(arch), arch);
});

function assertSourced(value: Sourced<number> | undefined, where: string): asserts value is Sourced<number> {
  assert.ok(value, `${where} present`);
  assert.ok(Number.isFinite(value.value) && value.value > 0, `${where} positive: ${value.value}`);
  assert.ok(typeof value.source === 'string' && value.source.length >= 10, `${where} has a source`);
  // Source keys are expanded to the citation text; a derived value says so in its source.
  assert.ok(!/^[a-z0-9-]+$/.test(value.source), `${where} source is a citation, not a key: ${value.source}`);
  if (value.derived) assert.match(value.source, /^derived|scaled|assumed/i, `${where} derived source says how`);
  if (/^derived/.test(value.source)) assert.equal(value.derived, true, `${where} marked derived`);
}

test('every GPU has every required field, with a source, and limits for its compute capability', () => {
  for (const gpu of gpus) {
    for (const field of ['name', 'architecture', 'computeCapability', 'formFactor', 'memoryType'] as const)
      assert.ok(gpu[field].length > 0, `${gpu.id}.${field}`);
    assert.equal(gpu.vendor, 'nvidia');
    assert.ok(gpu.aliases.length > 0, `${gpu.id} has aliases`);
    assert.match(gpu.computeCapability, /^\d+\.\d$/);
    for (const field of [
      'smCount',
      'baseClockMHz',
      'boostClockMHz',
      'memorySizeGB',
      'memoryBusWidthBits',
      'memoryBandwidthGBps',
      'l2CacheMB',
      'boardPowerW',
    ] as const) {
      assertSourced(gpu[field], `${gpu.id}.${field}`);
    }
    assert.ok([64, 128, 192].includes(gpu.fp32LanesPerSM), `${gpu.id} lanes`);
    assertSourced(gpu.peak.fp32, `${gpu.id}.peak.fp32`);
    assertSourced(gpu.peak.fp64, `${gpu.id}.peak.fp64`);
    for (const [key, value] of Object.entries(gpu.peak)) assertSourced(value, `${gpu.id}.peak.${key}`);
    for (const [key, value] of Object.entries(gpu.peakFp16Accumulate ?? {})) assertSourced(value, `${gpu.id}.peakFp16Accumulate.${key}`);
    assert.equal(gpu.limits.computeCapability, gpu.computeCapability, `${gpu.id} limits`);
    assert.ok(gpu.limits.maxThreadsPerSM > 0);
  }
});

test('fp32 peak is SMs x lanes x 2 x boost clock within 3% for every GPU', () => {
  for (const gpu of gpus) {
    const expectedTflops = (gpu.smCount.value * gpu.fp32LanesPerSM * 2 * gpu.boostClockMHz.value) / 1e6;
    const ratio = gpu.peak.fp32!.value / expectedTflops;
    assert.ok(Math.abs(ratio - 1) <= 0.03, `${gpu.id}: fp32 ${gpu.peak.fp32!.value} vs ${expectedTflops.toFixed(2)} TFLOP/s`);
  }
});

test('bandwidth matches bus width x data rate within 3% wherever the data rate is recorded', () => {
  let checked = 0;
  for (const gpu of gpus) {
    if (!gpu.memoryDataRateGbps) continue;
    checked++;
    const expected = (gpu.memoryBusWidthBits.value / 8) * gpu.memoryDataRateGbps.value;
    assert.ok(Math.abs(gpu.memoryBandwidthGBps.value / expected - 1) <= 0.03, `${gpu.id}: ${gpu.memoryBandwidthGBps.value} vs ${expected.toFixed(1)} GB/s`);
  }
  assert.ok(checked >= 40, `${checked} GPUs with a data rate`);
});

const near = (a: number, b: number, tolerance = 0.03) => Math.abs(a / b - 1) <= tolerance;

test('peaks are ordered sensibly per precision', () => {
  // Blackwell Ultra (B300, GB300) cut INT8 tensor and FP64 throughput in favour of FP4: documented exceptions.
  const ultra = new Set(gpus.filter((g) => g.architecture === 'Blackwell Ultra').map((g) => g.id));
  assert.deepEqual([...ultra].sort(), ['b300', 'gb300']);
  for (const gpu of gpus) {
    const p: PeakThroughput = gpu.peak;
    const v = (key: keyof PeakThroughput) => p[key]?.value;
    assert.ok(v('fp64')! <= v('fp32')! * 0.51, `${gpu.id} fp64 <= fp32/2`);
    assert.ok(gpu.baseClockMHz.value <= gpu.boostClockMHz.value, `${gpu.id} base <= boost`);
    if (v('fp16Tensor')) assert.ok(v('fp16Tensor')! >= 1.9 * v('fp32')!, `${gpu.id} fp16 tensor well above fp32 SIMT`);
    if (v('bf16Tensor')) assert.equal(v('bf16Tensor'), v('fp16Tensor'), `${gpu.id} bf16 = fp16`);
    if (v('tf32Tensor')) assert.ok(near(v('tf32Tensor')!, v('fp16Tensor')! / 2), `${gpu.id} tf32 = fp16/2`);
    if (v('fp8Tensor')) assert.ok(near(v('fp8Tensor')!, 2 * v('fp16Tensor')!), `${gpu.id} fp8 = 2 x fp16`);
    if (v('int8Tensor') && !ultra.has(gpu.id)) assert.ok(v('int8Tensor')! >= v('fp16Tensor')! * 1.97, `${gpu.id} int8 >= 2 x fp16`);
    if (v('fp4Tensor')) assert.ok(v('fp4Tensor')! >= 2 * v('fp8Tensor')! * 0.97, `${gpu.id} fp4 >= 2 x fp8`);
    // Tensor formats appear with their generation: tf32/bf16 from Ampere, fp8 from Ada/Hopper, fp4 from Blackwell.
    const cc = Number(gpu.computeCapability);
    if (v('tf32Tensor') || v('bf16Tensor')) assert.ok(cc >= 8, `${gpu.id} tf32/bf16 needs cc >= 8.0`);
    if (v('fp8Tensor')) assert.ok(cc >= 8.9, `${gpu.id} fp8 needs cc >= 8.9`);
    if (v('fp4Tensor')) assert.ok(cc >= 10, `${gpu.id} fp4 needs cc >= 10.0`);
    if (cc >= 8 && !v('tf32Tensor')) assert.fail(`${gpu.id} lacks tf32`);
    if (cc >= 8.9 && !v('fp8Tensor')) assert.fail(`${gpu.id} lacks fp8`);
    if (cc >= 10 && !v('fp4Tensor')) assert.fail(`${gpu.id} lacks fp4`);
  }
});

test('GeForce cards record the half fp32-accumulate tensor rate and the fp16-accumulate rate separately', () => {
  const geforce = gpus.filter((g) => /GeForce/.test(g.name) && Number(g.computeCapability) >= 7.5);
  assert.ok(geforce.length >= 12);
  for (const gpu of geforce) {
    assert.ok(gpu.peakFp16Accumulate?.fp16Tensor, `${gpu.id} has the fp16-accumulate rate`);
    assert.ok(near(gpu.peakFp16Accumulate.fp16Tensor.value, 2 * gpu.peak.fp16Tensor!.value, 0.01), `${gpu.id} fp16-accumulate = 2 x fp32-accumulate`);
    assert.ok(
      gpu.notes?.some((n) => /half/.test(n) && /accumulate/.test(n)),
      `${gpu.id} notes the caveat`,
    );
  }
  assert.equal(byId('rtx-4090').peak.fp16Tensor!.value, 165.2);
  assert.equal(byId('rtx-4090').peakFp16Accumulate!.fp16Tensor!.value, 330.3);
  // Professional and data-centre boards run fp32 accumulate at full rate and carry no separate figure.
  for (const id of ['a100-sxm4-80gb', 'l40s', 'rtx-6000-ada', 'titan-rtx', 't4']) assert.equal(byId(id).peakFp16Accumulate, undefined, id);
});

test('spot checks against the NVIDIA documents', () => {
  const h100 = byId('h100-sxm');
  assert.equal(h100.smCount.value, 132);
  assert.equal(h100.memoryBandwidthGBps.value, 3352);
  assert.equal(h100.peak.fp16Tensor!.value, 989.4);
  assert.equal(h100.computeCapability, '9.0');
  const a100 = byId('a100-sxm4-80gb');
  assert.deepEqual([a100.smCount.value, a100.boostClockMHz.value, a100.peak.tf32Tensor!.value, a100.memoryBandwidthGBps.value], [108, 1410, 156, 2039]);
  assert.equal(byId('a100-pcie-40gb').memoryBandwidthGBps.value, 1555);
  assert.equal(byId('l4').smCount.value, 58);
  assert.equal(byId('p4').smCount.value * byId('p4').fp32LanesPerSM, 2560);
  assert.equal(byId('t4').boardPowerW.value, 70);
  assert.equal(byId('b200').peak.fp4Tensor!.value, 9000);
  assert.equal(byId('b300').computeCapability, '10.3');
  assert.equal(byId('rtx-5090').computeCapability, '12.0');
  assert.match(byId('h100-sxm').peak.fp32!.source, /H100 Tensor Core GPU Architecture whitepaper/);
  assert.equal(byId('gtx-680').peak.fp32!.derived, true);
});

test('unknown names give an error with the nearest catalogue GPUs', () => {
  const result = resolveGpu('RTX 4090 Super');
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.suggestions[0], 'rtx-4090');
  assert.match(result.error, /unknown GPU 'RTX 4090 Super'/);
  assert.match(result.error, /rtx-4090/);

  const h100 = resolveGpu('H100 SXM6');
  assert.ok(!h100.ok && h100.suggestions[0] === 'h100-sxm', JSON.stringify(h100));
  const typo = resolveGpu('A100-SMX4-80GB');
  assert.ok(!typo.ok && typo.suggestions.slice(0, 2).includes('a100-sxm4-80gb'), JSON.stringify(typo));
  assert.equal(suggestGpus('L40 S')[0], 'l40s');

  const nothing = resolveGpu('Radeon RX 7900 XTX');
  assert.ok(!nothing.ok && nothing.suggestions.length === 0 && /unknown GPU/.test(nothing.error));
  const empty = resolveGpu('   ');
  assert.ok(!empty.ok && /no GPU name/.test(empty.error));

  const found = resolveGpu('Tesla V100-PCIE-32GB');
  assert.ok(found.ok && found.gpu.id === 'v100-pcie-32gb');
});

test('parseCatalogue skips malformed entries and reports them instead of throwing', () => {
  assert.deepEqual(parseCatalogue(null).gpus, []);
  assert.ok(parseCatalogue(42).problems.length > 0);
  const raw = catalogueJson as unknown as { sources: Record<string, string>; gpus: Array<Record<string, unknown>> };
  const good = raw.gpus[0];
  const broken = { ...good, id: 'broken', smCount: { value: -3, source: 'x' } };
  const unknownCc = { ...good, id: 'future', computeCapability: '99.9' };
  const result = parseCatalogue({ sources: raw.sources, gpus: [good, broken, unknownCc, 'junk', { ...good }] });
  assert.deepEqual(
    result.gpus.map((g) => g.id),
    [good.id],
  );
  assert.ok(result.problems.some((p) => p.startsWith('broken.smCount')));
  assert.ok(result.problems.some((p) => p.includes("'99.9'")));
  assert.ok(result.problems.some((p) => /duplicate id/.test(p)));
  assert.ok(result.problems.some((p) => /not an object/.test(p)));
});

test('applyDeviceOverrides replaces catalogue values with measured ones and scales peaks, purely', () => {
  const original = byId('rtx-4090');
  const before = JSON.stringify(original);
  const measured = applyDeviceOverrides(original, { boostClockMHz: 2790, memoryClockMHz: 10501, powerLimitW: 500, name: 'NVIDIA GeForce RTX 4090 (lab)' });
  assert.equal(JSON.stringify(original), before, 'input untouched');
  assert.equal(measured.boostClockMHz.value, 2790);
  assert.match(measured.boostClockMHz.source, /measured on this device/);
  assert.ok(near(measured.peak.fp32!.value, (82.6 * 2790) / 2520, 0.001));
  assert.ok(near(measured.peak.fp16Tensor!.value, (165.2 * 2790) / 2520, 0.001));
  assert.ok(near(measured.peakFp16Accumulate!.fp16Tensor!.value, (330.3 * 2790) / 2520, 0.001));
  assert.equal(measured.peak.fp32!.derived, true);
  assert.ok(near(measured.memoryBandwidthGBps.value, 1008, 0.001), `${measured.memoryBandwidthGBps.value}`);
  assert.equal(measured.boardPowerW.value, 500);
  assert.match(measured.boardPowerW.source, /measured on this device/);
  assert.equal(measured.name, 'NVIDIA GeForce RTX 4090 (lab)');
  assert.ok(measured.aliases.includes(original.name));
  assert.ok(measured.notes!.some((n) => /Measured on this device: boostClockMHz, boardPowerW/.test(n)));
  assert.equal(measured.limits, original.limits);
  assert.equal(measured.smCount.value, 128);
});

test('applyDeviceOverrides scales with the SM count and derives bandwidth from the memory clock', () => {
  const a100 = byId('a100-sxm4-40gb');
  const cut = applyDeviceOverrides(a100, { smCount: 54 });
  assert.equal(cut.smCount.value, 54);
  assert.ok(near(cut.peak.fp16Tensor!.value, 156, 0.001));
  // A100 40GB: 1215 MHz -> 2.43 Gbit/s per pin: the catalogue figure.
  const same = applyDeviceOverrides(a100, { memoryClockMHz: 1215 });
  assert.ok(near(same.memoryBandwidthGBps.value, 1555, 0.001));
  assert.ok(!same.notes?.some((n) => /Measured on this device/.test(n)));
  // Without a catalogue data rate, bandwidth is bus width / 8 x 2 x clock.
  const b200 = byId('b200');
  assert.equal(b200.memoryDataRateGbps, undefined);
  const measuredB200 = applyDeviceOverrides(b200, { memoryClockMHz: 3996 });
  assert.ok(near(measuredB200.memoryBandwidthGBps.value, (8192 / 8) * 7.992, 0.001));
  // An implausible memory clock (a different reporting convention) is ignored with a note.
  const odd = applyDeviceOverrides(a100, { memoryClockMHz: 9000 });
  assert.equal(odd.memoryBandwidthGBps.value, 1555);
  assert.ok(odd.notes!.some((n) => /Ignored the measured memory clock/.test(n)));
});

test('applyDeviceOverrides ignores missing and invalid measurements', () => {
  const t4 = byId('t4');
  const same = applyDeviceOverrides(t4, { smCount: 0, boostClockMHz: Number.NaN, powerLimitW: -70, memoryClockMHz: Infinity, name: '  ' });
  assert.equal(same.smCount.value, 40);
  assert.equal(same.boostClockMHz.value, 1590);
  assert.equal(same.boardPowerW.value, 70);
  assert.equal(same.name, t4.name);
  assert.deepEqual(same.peak, t4.peak);
  assert.deepEqual(applyDeviceOverrides(t4, {}).peak, t4.peak);
  assert.deepEqual(applyDeviceOverrides(t4, undefined as unknown as object).smCount, t4.smCount);
});

test('cross-check with NeuSight device configs: only the disagreements docs/gpu-catalogue.md lists', {
  skip: existsSync(NEUSIGHT_CONFIGS) ? false : `shared datasets not found: no ${NEUSIGHT_CONFIGS}`,
}, () => {
  // NeuSight (ASPLOS'25) ships its own spec summary per GPU; it is a second, imperfect source.
  const documented = new Set([
    'h100-sxm Mem_Bw 3430 vs 3352',
    'l4 Num_Sm 60 vs 58',
    'l4 SingleFLOPs 31.334 vs 30.3',
    'p100-pcie-16gb Freq 1380 vs 1303',
    'p100-pcie-16gb SingleFLOPs 9.519 vs 9.3',
    'p4 Num_Sm 40 vs 20',
    'p4 Core_Per_SM 64 vs 128',
    'p4 Freq 1113 vs 1063',
    'p4 SingleFLOPs 5.699 vs 5.5',
    't4 Dev_Mem 15 vs 16',
  ]);
  const found = new Set<string>();
  let compared = 0;
  for (const file of readdirSync(NEUSIGHT_CONFIGS)) {
    if (!file.startsWith('NVIDIA') && !file.startsWith('Tesla')) continue;
    if (file.endsWith('_TP.json')) continue; // a two-GPU tensor-parallel aggregate, not a device
    const config = JSON.parse(readFileSync(join(NEUSIGHT_CONFIGS, file), 'utf8'));
    const gpu = findGpu(config.Device);
    assert.ok(gpu, `${config.Device} is catalogued`);
    compared++;
    const pairs: Array<[string, number, number]> = [
      ['Dev_Mem', config.Dev_Mem, gpu.memorySizeGB.value],
      ['Mem_Bw', config.Mem_Bw, gpu.memoryBandwidthGBps.value],
      ['Num_Sm', config.Num_Sm, gpu.smCount.value],
      ['Core_Per_SM', config.Core_Per_SM, gpu.fp32LanesPerSM],
      ['Freq', config.Freq, gpu.boostClockMHz.value],
      ['SingleFLOPs', config.SingleFLOPs / 1000, gpu.peak.fp32!.value],
      ['L2Cache', config.L2Cache, gpu.l2CacheMB.value],
    ];
    for (const [field, theirs, ours] of pairs) if (Math.abs(theirs / ours - 1) > 0.02) found.add(`${gpu.id} ${field} ${theirs} vs ${ours}`);
  }
  assert.ok(compared >= 9);
  assert.deepEqual([...found].sort(), [...documented].sort());
});
