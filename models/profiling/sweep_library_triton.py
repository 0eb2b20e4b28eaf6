#!/usr/bin/env python3
# Library GEMMs (cuBLAS through torch.matmul: fp32, tf32, fp16, bf16; fp8 through torch._scaled_mm where
# the GPU has fp8 tensor cores) and a Triton matmul configuration sweep, at sizes 256..8192 including
# non-powers of two. Timing with CUDA events (median, p10, p90 of individual launches), energy over a
# >= 1 s run from NVML's total-energy counter (else 20 Hz power samples). Prints tilecast-profile/1
# lines on stdout; stops starting measurements after --budget-s seconds. Part of run-sweep.sh.
import argparse
import datetime
import json
import math
import sys
import threading
import time

import torch

try:
    import pynvml
except ImportError:  # energy is then left out of the records
    pynvml = None


def log(message):
    print("tilecast-sweep: " + message, file=sys.stderr, flush=True)


class Nvml:
    def __init__(self, device):
        self.handle = None
        if pynvml is None:
            log("pynvml not installed: no power or energy")
            return
        try:
            pynvml.nvmlInit()
            bus = torch.cuda.get_device_properties(device)
            uuid = getattr(bus, "uuid", None)
            self.handle = pynvml.nvmlDeviceGetHandleByUUID(("GPU-" + str(uuid)).encode()) if uuid else pynvml.nvmlDeviceGetHandleByIndex(device)
        except Exception as error:
            log("NVML unavailable (%s): no power or energy" % error)

    def get(self, name, *args):
        if self.handle is None:
            return None
        try:
            return getattr(pynvml, name)(self.handle, *args)
        except Exception as error:
            log("NVML %s failed: %s" % (name, error))
            return None


def quantile(values, q):
    values = sorted(values)
    pos = q * (len(values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


def measure(fn, nvml, timed_ms=200.0, sustain_s=1.0):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    t0 = time.time()
    fn()
    torch.cuda.synchronize()
    estimate_ms = max((time.time() - t0) * 1000, 1e-3)
    n = int(max(10, min(2000, timed_ms / estimate_ms)))
    events = [(torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)) for _ in range(n)]
    for start, end in events:
        start.record()
        fn()
        end.record()
    torch.cuda.synchronize()
    samples = [start.elapsed_time(end) for start, end in events]
    power, sm, mem, temp = [], [], [], []
    stop = threading.Event()

    def sampler():
        while not stop.is_set():
            p = nvml.get("nvmlDeviceGetPowerUsage")
            if p:
                power.append(p / 1000.0)
            c = nvml.get("nvmlDeviceGetClockInfo", pynvml.NVML_CLOCK_SM) if pynvml else None
            if c:
                sm.append(c)
            c = nvml.get("nvmlDeviceGetClockInfo", pynvml.NVML_CLOCK_MEM) if pynvml else None
            if c:
                mem.append(c)
            t = nvml.get("nvmlDeviceGetTemperature", pynvml.NVML_TEMPERATURE_GPU) if pynvml else None
            if t is not None:
                temp.append(t)
            time.sleep(0.05)

    thread = threading.Thread(target=sampler)
    e0 = nvml.get("nvmlDeviceGetTotalEnergyConsumption")
    thread.start()
    chunk = max(1, int(20.0 / estimate_ms))
    launches = 0
    s0, s1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    wall = time.time()
    s0.record()
    while time.time() - wall < sustain_s:
        for _ in range(chunk):
            fn()
        launches += chunk
        torch.cuda.synchronize()
    s1.record()
    s1.synchronize()
    e1 = nvml.get("nvmlDeviceGetTotalEnergyConsumption")
    stop.set()
    thread.join()
    gpu_ms = s0.elapsed_time(s1)
    out = {
        "runtimeMs": quantile(samples, 0.5), "runtimeP10Ms": quantile(samples, 0.1), "runtimeP90Ms": quantile(samples, 0.9),
        "runtimeSamplesMs": [max(x, 1e-6) for x in samples[:200]], "sustainedMs": gpu_ms,
    }
    if e0 is not None and e1 is not None and e1 > e0:
        out["energyMj"], out["energyMethod"] = (e1 - e0) / launches, "nvml-total-energy"
    elif power:
        out["energyMj"], out["energyMethod"] = sum(power) / len(power) * gpu_ms / launches, "power-samples"
    if "energyMj" in out:
        out["powerW"] = out["energyMj"] * launches / gpu_ms
    if power:
        out["powerSamplesW"] = power[:100]
    if sm:
        out["smClockMHz"] = quantile(sm, 0.5)
    if mem:
        out["memClockMHz"] = quantile(mem, 0.5)
    if temp:
        out["temperatureC"] = max(temp)
    return out


def emit(nvml, props, base, measured, check, max_error, clock_policy):
    record = {"schema": "tilecast-profile/1", "gpu": "", "gpuName": props.name}
    record.update(base)
    record.update(measured)
    limit = nvml.get("nvmlDeviceGetEnforcedPowerLimit")
    if limit:
        record["powerLimitW"] = limit / 1000.0
    uuid = nvml.get("nvmlDeviceGetUUID")
    if uuid:
        record["gpuUuid"] = uuid.decode() if isinstance(uuid, bytes) else uuid
    record["cudaVersion"] = "torch %s, CUDA %s" % (torch.__version__, torch.version.cuda)
    record["clockPolicy"] = clock_policy
    record["check"] = check
    if max_error is not None and math.isfinite(max_error):
        record["checkMaxError"] = max_error
    record["timestamp"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    record["tool"] = "tilecast-gemm-sweep 0.1.0 (python)"
    print(json.dumps(record), flush=True)


TOLERANCE = {"fp32": 1e-4, "tf32": 1e-2, "fp16": 2e-2, "bf16": 6e-2, "fp8": 0.25}
SHAPES = [(256, 256, 256), (1000, 1000, 1000), (1024, 1024, 1024), (2048, 2048, 2048), (3000, 3000, 3000),
          (4096, 4096, 4096), (4096, 1024, 8192), (6144, 6144, 6144), (8192, 8192, 8192)]


def library(args, nvml, props, deadline):
    fp8 = torch.cuda.get_device_capability() >= (8, 9) and hasattr(torch, "_scaled_mm") and hasattr(torch, "float8_e4m3fn")
    for dtype in ["fp32", "tf32", "fp16", "bf16"] + (["fp8"] if fp8 else []):
        torch.backends.cuda.matmul.allow_tf32 = dtype == "tf32"
        for m, n, k in SHAPES:
            if time.time() > deadline:
                log("skipped library %s %dx%dx%d: over the time budget" % (dtype, m, n, k))
                continue
            a = torch.randn((m, k), device="cuda")
            b = torch.randn((k, n), device="cuda")
            if dtype == "fp8":
                a8, b8 = a.to(torch.float8_e4m3fn), b.t().contiguous().to(torch.float8_e4m3fn).t()
                one = torch.tensor(1.0, device="cuda")
                fn = lambda: torch._scaled_mm(a8, b8, scale_a=one, scale_b=one, out_dtype=torch.bfloat16)
                ref = torch.matmul(a8.float(), b8.float())
            else:
                torch_dtype = {"fp32": torch.float32, "tf32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[dtype]
                a, b = a.to(torch_dtype), b.to(torch_dtype)
                fn = lambda: torch.matmul(a, b)
                ref = torch.matmul(a.double(), b.double())
            max_error = ((fn().double() - ref.double()).abs().max() / math.sqrt(k)).item()
            check = "passed" if max_error <= TOLERANCE[dtype] else "failed"
            base = {"dtype": dtype, "m": m, "n": n, "k": k, "batch": 1, "kernel": "library", "params": {}, "grid": None, "block": None,
                    "kernelName": "torch._scaled_mm" if dtype == "fp8" else "torch.matmul"}
            emit(nvml, props, base, measure(fn, nvml), check, max_error, args.clock_policy)


def triton_sweep(args, nvml, props, deadline):
    try:
        import triton
        import triton.language as tl
    except ImportError:
        log("triton not installed: Triton sweep skipped")
        return

    @triton.jit
    def matmul_kernel(a_ptr, b_ptr, c_ptr, M, N, K, stride_am, stride_ak, stride_bk, stride_bn, stride_cm, stride_cn,
                      BLOCK_SIZE_M: tl.constexpr, BLOCK_SIZE_N: tl.constexpr, BLOCK_SIZE_K: tl.constexpr, GROUP_SIZE_M: tl.constexpr):
        pid = tl.program_id(axis=0)
        num_pid_m = tl.cdiv(M, BLOCK_SIZE_M)
        num_pid_n = tl.cdiv(N, BLOCK_SIZE_N)
        num_pid_in_group = GROUP_SIZE_M * num_pid_n
        group_id = pid // num_pid_in_group
        first_pid_m = group_id * GROUP_SIZE_M
        group_size_m = min(num_pid_m - first_pid_m, GROUP_SIZE_M)
        pid_m = first_pid_m + ((pid % num_pid_in_group) % group_size_m)
        pid_n = (pid % num_pid_in_group) // group_size_m
        offs_am = (pid_m * BLOCK_SIZE_M + tl.arange(0, BLOCK_SIZE_M)) % M
        offs_bn = (pid_n * BLOCK_SIZE_N + tl.arange(0, BLOCK_SIZE_N)) % N
        offs_k = tl.arange(0, BLOCK_SIZE_K)
        a_ptrs = a_ptr + (offs_am[:, None] * stride_am + offs_k[None, :] * stride_ak)
        b_ptrs = b_ptr + (offs_k[:, None] * stride_bk + offs_bn[None, :] * stride_bn)
        acc = tl.zeros((BLOCK_SIZE_M, BLOCK_SIZE_N), dtype=tl.float32)
        for kk in range(0, tl.cdiv(K, BLOCK_SIZE_K)):
            a = tl.load(a_ptrs, mask=offs_k[None, :] < K - kk * BLOCK_SIZE_K, other=0.0)
            b = tl.load(b_ptrs, mask=offs_k[:, None] < K - kk * BLOCK_SIZE_K, other=0.0)
            acc = tl.dot(a, b, acc)
            a_ptrs += BLOCK_SIZE_K * stride_ak
            b_ptrs += BLOCK_SIZE_K * stride_bk
        offs_cm = pid_m * BLOCK_SIZE_M + tl.arange(0, BLOCK_SIZE_M)
        offs_cn = pid_n * BLOCK_SIZE_N + tl.arange(0, BLOCK_SIZE_N)
        c_ptrs = c_ptr + stride_cm * offs_cm[:, None] + stride_cn * offs_cn[None, :]
        tl.store(c_ptrs, acc.to(tl.float16), mask=(offs_cm[:, None] < M) & (offs_cn[None, :] < N))

    configs = []
    for bm in (64, 128):
        for bn in (64, 128, 256):
            for bk in (32, 64):
                for warps, stages in ((4, 3), (8, 4)):
                    configs.append({"BLOCK_SIZE_M": bm, "BLOCK_SIZE_N": bn, "BLOCK_SIZE_K": bk, "GROUP_SIZE_M": 8, "num_warps": warps, "num_stages": stages})
    for m, n, k in [(4096, 4096, 4096), (3000, 3000, 3000)]:
        a = torch.randn((m, k), device="cuda", dtype=torch.float16)
        b = torch.randn((k, n), device="cuda", dtype=torch.float16)
        c = torch.empty((m, n), device="cuda", dtype=torch.float16)
        ref = torch.matmul(a.float(), b.float())
        for config in configs if (m, n, k) == (4096, 4096, 4096) else configs[::4]:
            label = ",".join("%s=%s" % kv for kv in sorted(config.items()))
            if time.time() > deadline:
                log("skipped triton %s %dx%dx%d: over the time budget" % (label, m, n, k))
                continue
            grid = (triton.cdiv(m, config["BLOCK_SIZE_M"]) * triton.cdiv(n, config["BLOCK_SIZE_N"]),)
            fn = lambda: matmul_kernel[grid](a, b, c, m, n, k, a.stride(0), a.stride(1), b.stride(0), b.stride(1), c.stride(0), c.stride(1), **config)
            try:
                fn()
                torch.cuda.synchronize()
            except Exception as error:
                log("skipped triton %s: %s" % (label, str(error).splitlines()[0] if str(error) else type(error).__name__))
                continue
            max_error = ((c.float() - ref).abs().max() / math.sqrt(k)).item()
            base = {"dtype": "fp16", "m": m, "n": n, "k": k, "batch": 1, "kernel": "triton", "kernelName": "matmul_kernel",
                    "params": {key: value for key, value in config.items()}, "grid": [grid[0], 1, 1], "block": [config["num_warps"] * 32, 1, 1]}
            emit(nvml, props, base, measure(fn, nvml), "passed" if max_error <= TOLERANCE["fp16"] else "failed", max_error, args.clock_policy)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", type=int, default=0)
    parser.add_argument("--budget-s", type=float, default=180.0)
    parser.add_argument("--clock-policy", choices=["default", "locked"], default="default")
    args = parser.parse_args()
    torch.cuda.set_device(args.device)
    torch.manual_seed(0)
    props = torch.cuda.get_device_properties(args.device)
    nvml = Nvml(args.device)
    start = time.time()
    library(args, nvml, props, start + args.budget_s * 0.45)
    triton_sweep(args, nvml, props, start + args.budget_s)
    log("done in %.0f s" % (time.time() - start))


if __name__ == "__main__":
    main()
