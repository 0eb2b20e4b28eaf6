# A CPU stand-in for the few torch calls the generated Triton harness makes (tests only; no GPU, no
# numpy): small dense matrices as lists, CUDA events that time the wall clock.
import random as _random
import time as _time
import types as _types

__version__ = "0.0-fake"
version = _types.SimpleNamespace(cuda="0.0")
float16, bfloat16, float32, float64, int8, int32, float8_e4m3fn = "float16", "bfloat16", "float32", "float64", "int8", "int32", "float8_e4m3fn"


class Tensor:
    def __init__(self, rows):
        self.rows = rows

    def to(self, dtype):
        return self

    def float(self):
        return self

    def stride(self, dim):
        return (len(self.rows[0]), 1)[dim]

    def __sub__(self, other):
        return Tensor([[a - b for a, b in zip(ra, rb)] for ra, rb in zip(self.rows, other.rows)])

    def abs(self):
        return Tensor([[abs(a) for a in r] for r in self.rows])

    def max(self):
        return Tensor([[max(max(r) for r in self.rows)]])

    def __truediv__(self, x):
        return Tensor([[a / x for a in r] for r in self.rows])

    def item(self):
        return self.rows[0][0]


class Generator:
    def __init__(self, device=None):
        self.random = _random.Random(0)

    def manual_seed(self, seed):
        self.random.seed(seed)
        return self


def randn(shape, device=None, generator=None, dtype=None):
    rng = generator.random if generator else _random
    return Tensor([[rng.gauss(0, 1) for _ in range(shape[1])] for _ in range(shape[0])])


def empty(shape, device=None, dtype=None):
    return Tensor([[0.0] * shape[1] for _ in range(shape[0])])


def matmul(a, b):
    cols = list(zip(*b.rows))
    return Tensor([[sum(x * y for x, y in zip(r, c)) for c in cols] for r in a.rows])


class _Event:
    def __init__(self, enable_timing=False):
        self.t = 0.0

    def record(self):
        self.t = _time.perf_counter()

    def synchronize(self):
        pass

    def elapsed_time(self, other):
        return (other.t - self.t) * 1000.0


cuda = _types.SimpleNamespace(
    set_device=lambda device: None,
    synchronize=lambda: None,
    get_device_properties=lambda device: _types.SimpleNamespace(name="NVIDIA L4"),
    Event=_Event,
)
backends = _types.SimpleNamespace(cuda=_types.SimpleNamespace(matmul=_types.SimpleNamespace(allow_tf32=False)))
