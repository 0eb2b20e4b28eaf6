#!/bin/sh
# The project's measured data in one run of at most 8 minutes on one GPU (see README.md):
#   1. builds gemm-sweep.cu (about 30 s) and runs it with a 250 s budget: the fixture kernel families;
#   2. runs sweep_library_triton.py with a 140 s budget: cuBLAS through PyTorch (fp32, tf32, fp16, bf16,
#      fp8) and a Triton matmul configuration sweep (needs torch, triton, pynvml);
#   3. builds and runs occupancy-check.cu (seconds).
# Records go to models/data/profiles/<gpu>-<date>.jsonl, the conditions (nvidia-smi -q) beside them,
# the occupancy lines to models/data/occupancy/. Usage: sh models/profiling/run-sweep.sh [--clock-policy locked]
set -u
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../data"
mkdir -p "$data/profiles" "$data/occupancy"
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader -i "${CUDA_VISIBLE_DEVICES:-0}" 2>/dev/null | head -n 1 | tr ' A-Z' '-a-z' | tr -cd 'a-z0-9-')
[ -n "$gpu" ] || { echo "run-sweep: nvidia-smi found no GPU" >&2; exit 1; }
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$data/profiles/$gpu-$stamp.jsonl"
nvidia-smi -q > "$data/profiles/$gpu-$stamp.conditions.txt" 2>&1
start=$(date +%s)
nvcc -O3 -std=c++17 -arch="${ARCH:-native}" -o /tmp/tilecast-gemm-sweep "$here/gemm-sweep.cu" -ldl || exit 1
/tmp/tilecast-gemm-sweep --budget-s 250 "$@" >> "$out"
echo "run-sweep: CUDA kernels done after $(( $(date +%s) - start )) s" >&2
"${PYTHON:-python3}" "$here/sweep_library_triton.py" --budget-s 140 "$@" >> "$out"
echo "run-sweep: library and Triton done after $(( $(date +%s) - start )) s" >&2
nvcc -O2 -arch="${ARCH:-native}" "$here/occupancy-check.cu" -o /tmp/tilecast-occupancy-check && /tmp/tilecast-occupancy-check > "$data/occupancy/$gpu-$stamp.jsonl"
echo "run-sweep: $(wc -l < "$out") records in $out after $(( $(date +%s) - start )) s" >&2
