// The fixed Python part of the generated Triton harness (after SPEC, kernel_args and FIXED_KWARGS):
// loading the user's module, configurations (autotune list, or a designed set for a sweep), do_bench
// timing, the torch.matmul check, the pynvml energy run and the tilecast-profile/1 line. Text only.

export const TRITON_SUPPORT = `
import argparse
import datetime
import importlib.util
import json
import math
import os
import sys
import threading
import time

import torch
import triton
import triton.testing


def log(message):
    print("tilecast-harness: " + message, file=sys.stderr, flush=True)


def load_kernel():
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("tilecast_user_module", os.path.join(here, SPEC["module"]))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, SPEC["kernel"])


def config_dict(config):
    kwargs = dict(getattr(config, "kwargs", {}))
    kwargs["num_warps"] = getattr(config, "num_warps", 4)
    kwargs["num_stages"] = getattr(config, "num_stages", 3)
    return kwargs


def base_configs(kernel):
    if hasattr(kernel, "configs") and hasattr(kernel, "fn"):
        return kernel.fn, [config_dict(c) for c in kernel.configs]
    meta = dict(SPEC["launchMeta"])
    meta["num_warps"] = SPEC["numWarps"] or 4
    meta["num_stages"] = SPEC["numStages"] or 3
    return kernel, [meta]


def sweep_configs(first):
    """Designed set around the first configuration: each block size halved and doubled, warps 4/8, stages -1/+1."""
    out = [dict(first)]
    for key, value in first.items():
        if key.startswith("BLOCK") and isinstance(value, int):
            for factor in (0.5, 2):
                v = int(value * factor)
                if v >= 16:
                    out.append(dict(first, **{key: v}))
    for warps in (4, 8):
        out.append(dict(first, num_warps=warps))
    for delta in (-1, 1):
        if first.get("num_stages", 3) + delta >= 1:
            out.append(dict(first, num_stages=first.get("num_stages", 3) + delta))
    unique = []
    for c in out:
        if c not in unique:
            unique.append(c)
    return unique


def grid_for(meta, M, N):
    bm = meta.get(SPEC["blockKeys"]["m"] or "", 64)
    bn = meta.get(SPEC["blockKeys"]["n"] or "", 64)
    if SPEC["gridAxes"] == 1:
        return (triton.cdiv(M, bm) * triton.cdiv(N, bn),)
    if SPEC["gridAxes"] == 2:
        return (triton.cdiv(M, bm), triton.cdiv(N, bn))
    return (triton.cdiv(M, bm), triton.cdiv(N, bn), 1)


class Nvml:
    def __init__(self, device):
        self.ok = False
        try:
            import pynvml
            self.nv = pynvml
            pynvml.nvmlInit()
            props = torch.cuda.get_device_properties(device)
            uuid = getattr(props, "uuid", None)
            if uuid is not None:
                self.handle = pynvml.nvmlDeviceGetHandleByUUID(("GPU-" + str(uuid)).encode())
            else:
                self.handle = pynvml.nvmlDeviceGetHandleByIndex(device)
            self.ok = True
        except Exception as error:  # no pynvml, no driver, or no such device: runtime only
            log("no NVML (%s): no power or energy" % error)

    def call(self, name, *args):
        try:
            return getattr(self.nv, name)(self.handle, *args)
        except Exception as error:
            log("NVML %s failed: %s" % (name, error))
            return None


def sustained(fn, nvml, seconds, estimate_ms):
    samples = {"power": [], "sm": [], "mem": [], "temp": []}
    stop = threading.Event()

    def sampler():
        while not stop.is_set():
            p = nvml.call("nvmlDeviceGetPowerUsage")
            if p:
                samples["power"].append(p / 1000.0)
            sm = nvml.call("nvmlDeviceGetClockInfo", nvml.nv.NVML_CLOCK_SM)
            if sm:
                samples["sm"].append(sm)
            mem = nvml.call("nvmlDeviceGetClockInfo", nvml.nv.NVML_CLOCK_MEM)
            if mem:
                samples["mem"].append(mem)
            t = nvml.call("nvmlDeviceGetTemperature", nvml.nv.NVML_TEMPERATURE_GPU)
            if t is not None:
                samples["temp"].append(t)
            time.sleep(0.05)

    thread = threading.Thread(target=sampler) if nvml.ok else None
    e0 = nvml.call("nvmlDeviceGetTotalEnergyConsumption") if nvml.ok else None
    if thread:
        thread.start()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    chunk = max(1, int(20.0 / max(estimate_ms, 1e-3)))
    launches = 0
    wall = time.time()
    start.record()
    while time.time() - wall < seconds:
        for _ in range(chunk):
            fn()
        launches += chunk
        torch.cuda.synchronize()
    end.record()
    end.synchronize()
    e1 = nvml.call("nvmlDeviceGetTotalEnergyConsumption") if nvml.ok else None
    stop.set()
    if thread:
        thread.join()
    gpu_ms = start.elapsed_time(end)
    out = {"sustainedMs": gpu_ms, "samples": samples}
    if e0 is not None and e1 is not None and e1 > e0:
        out["energyMj"], out["energyMethod"] = (e1 - e0) / launches, "nvml-total-energy"
    elif samples["power"]:
        mean = sum(samples["power"]) / len(samples["power"])
        out["energyMj"], out["energyMethod"] = mean * gpu_ms / launches, "power-samples"
    if "energyMj" in out:
        out["powerW"] = out["energyMj"] * launches / gpu_ms
    return out


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def main():
    parser = argparse.ArgumentParser(description="TileCast Triton harness")
    parser.add_argument("--device", type=int, default=0)
    parser.add_argument("--sustain-ms", type=float, default=1000.0)
    parser.add_argument("--clock-policy", choices=["default", "locked"], default="default")
    parser.add_argument("--no-check", action="store_true")
    options, _ = parser.parse_known_args()
    torch.cuda.set_device(options.device)
    if SPEC["dtype"] == "tf32":
        torch.backends.cuda.matmul.allow_tf32 = True
    kernel = load_kernel()
    fn, configs = base_configs(kernel)
    if SPEC["sweep"]:
        configs = sweep_configs(configs[0])
    M, N, K = SPEC["m"], SPEC["n"], SPEC["k"]
    dtype = getattr(torch, SPEC["torchDtype"])
    gen = torch.Generator(device="cuda").manual_seed(1)
    if SPEC["dtype"] == "int8":
        a = torch.randint(-24, 25, (M, K), device="cuda", dtype=torch.int8, generator=gen)
        b = torch.randint(-24, 25, (K, N), device="cuda", dtype=torch.int8, generator=gen)
        c = torch.empty((M, N), device="cuda", dtype=torch.int32)
    else:
        a = torch.randn((M, K), device="cuda", generator=gen).to(dtype)
        b = torch.randn((K, N), device="cuda", generator=gen).to(dtype)
        c = torch.empty((M, N), device="cuda", dtype=torch.float16 if SPEC["dtype"] == "fp8" else dtype)
    args = kernel_args(a, b, c, M, N, K)
    props = torch.cuda.get_device_properties(options.device)
    nvml = Nvml(options.device)
    status = 0
    for config in configs:
        meta = dict(FIXED_KWARGS, **config)
        label = ",".join("%s=%s" % kv for kv in sorted(config.items()))
        grid = grid_for(meta, M, N)
        run = lambda: fn[grid](*args, **meta)
        try:
            run()
            torch.cuda.synchronize()
        except Exception as error:  # illegal configuration (out of resources, bad block shape, ...)
            log("skipped %s: %s" % (label, str(error).splitlines()[0] if str(error) else type(error).__name__))
            continue
        check, max_error = "skipped", None
        if not options.no_check:
            ref = torch.matmul(a.float(), b.float())
            max_error = ((c.float() - ref).abs().max() / math.sqrt(K)).item()
            check = "passed" if max_error <= SPEC["tolerance"] else "failed"
            log("check %s for %s (max error %.3g x sqrt(K))" % (check, label, max_error))
            if check == "failed":
                status = 3
        p50, p10, p90 = triton.testing.do_bench(run, quantiles=[0.5, 0.1, 0.9])
        energy = sustained(run, nvml, max(1.0, options.sustain_ms / 1000.0), p50)
        samples = energy.pop("samples")
        record = {
            "schema": "tilecast-profile/1", "gpu": SPEC["gpuId"], "gpuName": props.name, "dtype": SPEC["dtype"],
            "m": M, "n": N, "k": K, "batch": 1, "kernel": "triton", "kernelName": SPEC["kernel"],
            "params": {key: value for key, value in config.items() if isinstance(value, (int, float)) and not isinstance(value, bool)},
            "grid": list(grid) + [1] * (3 - len(grid)), "block": [config.get("num_warps", 4) * 32, 1, 1],
            "runtimeMs": p50, "runtimeP10Ms": p10, "runtimeP90Ms": p90,
        }
        record.update({key: value for key, value in energy.items() if value})
        if samples["power"]:
            record["powerSamplesW"] = samples["power"][:100]
        if samples["sm"]:
            record["smClockMHz"] = median(samples["sm"])
        if samples["mem"]:
            record["memClockMHz"] = median(samples["mem"])
        if samples["temp"]:
            record["temperatureC"] = max(samples["temp"])
        if nvml.ok:
            limit = nvml.call("nvmlDeviceGetEnforcedPowerLimit")
            if limit:
                record["powerLimitW"] = limit / 1000.0
            uuid = nvml.call("nvmlDeviceGetUUID")
            if uuid:
                record["gpuUuid"] = uuid.decode() if isinstance(uuid, bytes) else uuid
            try:
                driver = nvml.nv.nvmlSystemGetDriverVersion()
                record["driverVersion"] = driver.decode() if isinstance(driver, bytes) else driver
            except Exception as error:
                log("NVML driver version failed: %s" % error)
        record["cudaVersion"] = "torch %s, CUDA %s, triton %s" % (torch.__version__, torch.version.cuda, triton.__version__)
        record["clockPolicy"] = options.clock_policy
        record["check"] = check
        if max_error is not None and math.isfinite(max_error):
            record["checkMaxError"] = max_error
        record["timestamp"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        record["tool"] = SPEC["tool"]
        print(json.dumps(record), flush=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
`;
