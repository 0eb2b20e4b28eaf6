# do_bench as the harness calls it: times fn on the wall clock and returns the requested quantiles (tests only).
import time


def do_bench(fn, quantiles=None, warmup=25, rep=100):
    samples = []
    for _ in range(20):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000.0)
    samples.sort()
    return [samples[int(q * (len(samples) - 1))] for q in quantiles]
