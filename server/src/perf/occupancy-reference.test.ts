// Cross-checks computeOccupancy against NVIDIA's own occupancy logic: compiles a small C++ driver
// against the CUDA toolkit's installed cuda_occupancy.h (not copied here) and compares blocks per
// SM, the per-resource limits and the limiter on a sweep of launch shapes. Skips without a toolkit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { knownComputeCapabilities, limitsFor } from './compute-capabilities';
import { computeOccupancy, type OccupancyLimiter } from './occupancy';

function findOccupancyHeader(): string | undefined {
  const roots = [process.env.CUDA_HOME, process.env.CUDA_PATH, '/usr/local/cuda'].filter((p): p is string => !!p);
  const nvcc = spawnSync('which', ['nvcc'], { encoding: 'utf8' });
  if (nvcc.status === 0 && nvcc.stdout.trim()) {
    try {
      // /usr/local/bin/nvcc may be a wrapper; the toolkit is wherever `nvcc --version` came from.
      roots.push(join(dirname(realpathSync(nvcc.stdout.trim())), '..'));
    } catch {
      /* ignore */
    }
  }
  for (const root of roots) {
    const include = join(root, 'include');
    if (existsSync(join(include, 'cuda_occupancy.h'))) return include;
  }
  return undefined;
}

const include = findOccupancyHeader();
const compiler = ['c++', 'g++', 'clang++'].find((cxx) => spawnSync(cxx, ['--version']).status === 0);
const skip = !include ? 'cuda_occupancy.h not found: skipping the cross-check' : !compiler ? 'no C++ compiler: skipping the cross-check' : false;

const threadsList = [1, 32, 33, 96, 128, 160, 256, 320, 384, 640, 800, 1024];
const regsList = [0, 16, 24, 32, 33, 40, 48, 64, 65, 72, 80, 96, 128, 168, 192, 255];
const staticList = [0, 10000, 32563, 49152];
const dynamicList = [0, 1000, 20480, 65536, 101376, 166912, 232448];
const carveoutList = [-1, 0, 25, 50, 100];

// The driver only fills cuda_occupancy.h's structs and prints its answers, one line per case:
// cc threads regs static dynamic carveout blocks limitingFactors warps regs smem blocks.
function driverSource(ccs: string[]): string {
  const props = ccs.map((cc) => {
    const l = limitsFor(cc)!;
    const [major, minor] = cc.split('.');
    return `{${major},${minor},${l.maxThreadsPerSM},${l.maxRegistersPerBlock},${l.registersPerSM},${l.sharedMemPerBlockBytes},${l.sharedMemPerSMBytes},${l.sharedMemPerBlockOptinBytes},${l.reservedSharedMemPerBlockBytes}}`;
  });
  const list = (values: number[]) => values.join(',');
  return `#include <cstdio>
#include <cuda_occupancy.h>
struct P { int major, minor, threadsSM, regsBlock, regsSM; long smemBlock, smemSM, optin, reserved; };
static const P props[] = {${props.join(',')}};
static const int threadsList[] = {${list(threadsList)}}, regsList[] = {${list(regsList)}};
static const long staticList[] = {${list(staticList)}}, dynamicList[] = {${list(dynamicList)}};
static const int carveoutList[] = {${list(carveoutList)}};
int main() {
  for (const P& q : props) {
    cudaOccDeviceProp p;
    p.computeMajor = q.major; p.computeMinor = q.minor; p.maxThreadsPerBlock = 1024;
    p.maxThreadsPerMultiprocessor = q.threadsSM; p.regsPerBlock = q.regsBlock; p.regsPerMultiprocessor = q.regsSM;
    p.warpSize = 32; p.sharedMemPerBlock = q.smemBlock; p.sharedMemPerMultiprocessor = q.smemSM; p.numSms = 1;
    p.sharedMemPerBlockOptin = q.optin; p.reservedSharedMemPerBlock = q.reserved;
    for (int carveout : carveoutList) {
      if (q.major < 7 && carveout != -1) continue;
      for (long st : staticList) for (int t : threadsList) for (int r : regsList) for (long d : dynamicList) {
        cudaOccFuncAttributes a;
        a.maxThreadsPerBlock = 1024; a.numRegs = r; a.sharedSizeBytes = st; a.partitionedGCConfig = PARTITIONED_GC_OFF;
        a.shmemLimitConfig = FUNC_SHMEM_LIMIT_OPTIN; a.maxDynamicSharedSizeBytes = q.optin > st ? q.optin - st : 0;
        a.numBlockBarriers = 1;
        cudaOccDeviceState s; s.carveoutConfig = carveout;
        cudaOccResult res;
        if (cudaOccMaxActiveBlocksPerMultiprocessor(&res, &p, &a, &s, t, d) != CUDA_OCC_SUCCESS) { printf("error\\n"); continue; }
        printf("%d.%d %d %d %ld %ld %d %d %u %d %d %d %d\\n", q.major, q.minor, t, r, st, d, carveout,
          res.activeBlocksPerMultiprocessor, res.limitingFactors, res.blockLimitWarps, res.blockLimitRegs,
          res.blockLimitSharedMem, res.blockLimitBlocks);
      }
    }
  }
  return 0;
}
`;
}

const limiterBit: Record<OccupancyLimiter, number> = { warps: 1, registers: 2, 'shared-memory': 4, blocks: 8 };
const INT_MAX = 2147483647;

test('occupancy agrees with cuda_occupancy.h on a sweep over cc 5.0 to 12.x', { skip, timeout: 180_000 }, () => {
  const ccs = knownComputeCapabilities().filter((cc) => Number.parseInt(cc, 10) >= 5);
  const dir = mkdtempSync(join(tmpdir(), 'tilecast-occ-ref-'));
  try {
    writeFileSync(join(dir, 'driver.cpp'), driverSource(ccs));
    const build = spawnSync(compiler!, ['-O1', '-std=c++17', '-I', include!, join(dir, 'driver.cpp'), '-o', join(dir, 'driver')], { encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    const run = spawnSync(join(dir, 'driver'), [], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.ok(lines.length > 100_000, `${lines.length} cases`);
    const mismatches: string[] = [];
    for (const line of lines) {
      assert.notEqual(line, 'error');
      const [cc, ...n] = line.split(' ');
      const [threads, regs, staticBytes, dynamicBytes, carveout, blocks, mask, warpsLimit, regsLimit, smemLimit, blocksLimit] = n.map(Number);
      const r = computeOccupancy({
        limits: limitsFor(cc)!,
        threadsPerBlock: threads,
        registersPerThread: regs,
        staticSharedMemBytes: staticBytes,
        dynamicSharedMemBytes: dynamicBytes,
        carveoutPreferencePercent: carveout < 0 ? undefined : carveout,
      });
      const finite = (x: number) => (Number.isFinite(x) ? x : INT_MAX);
      const same =
        r.blocksPerSM === blocks &&
        (mask & limiterBit[r.limiter]) !== 0 &&
        finite(r.blocksByLimit.warps) === warpsLimit &&
        finite(r.blocksByLimit.registers) === regsLimit &&
        finite(r.blocksByLimit.sharedMemory) === smemLimit &&
        r.blocksByLimit.blocks === blocksLimit;
      if (!same && mismatches.length < 10) mismatches.push(`${line} -> ${JSON.stringify(r)}`);
    }
    assert.deepEqual(mismatches, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
