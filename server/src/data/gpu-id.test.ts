// Tests for the device-name -> catalogue-id mapping (through findGpu) on every name that occurs in the
// shared datasets and in Kernel Tuner file names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveGpuId } from './gpu-id';

test('every device string in the shared datasets maps to its catalogue id', () => {
  const cases: Array<[string, string]> = [
    ['NVIDIA A100-SXM4-80GB', 'a100-sxm4-80gb'],
    ['NVIDIA H100 80GB HBM3', 'h100-sxm'],
    ['NVIDIA H200', 'h200'],
    ['NVIDIA B200', 'b200'],
    ['NVIDIA B300 SXM6 AC', 'b300'],
    ['NVIDIA GB300', 'gb300'],
    ['NVIDIA RTX PRO 6000 Blackwell Server Edition', 'rtx-pro-6000-server'],
    ['NVIDIA A100-PCIE-40GB', 'a100-pcie-40gb'],
    ['NVIDIA A100 80GB PCIe', 'a100-pcie-80gb'],
    ['Tesla P100-PCIE-16GB', 'p100-pcie-16gb'],
    ['Tesla P4', 'p4'],
    ['Tesla T4', 't4'],
    ['Tesla V100-PCIE-32GB', 'v100-pcie-32gb'],
    ['NVIDIA L4', 'l4'],
    ['NVIDIA GeForce RTX 2080 Ti', 'rtx-2080-ti'],
    ['NVIDIA GeForce RTX 3090', 'rtx-3090'],
    ['NVIDIA TITAN RTX', 'titan-rtx'],
    ['RTX 2080 Ti', 'rtx-2080-ti'],
    ['RTX Titan', 'titan-rtx'],
  ];
  for (const [name, id] of cases) assert.equal(resolveGpuId(name), id, name);
});

test('unknown and empty names resolve to null', () => {
  assert.equal(resolveGpuId('NVIDIA GeForce RTX 9090'), null);
  assert.equal(resolveGpuId(''), null);
  assert.equal(resolveGpuId('Mystery Accelerator X'), null);
});
