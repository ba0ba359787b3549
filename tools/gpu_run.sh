#!/usr/bin/env bash
# On the GPU machine, from the checkout's root, with .gpu/ carried (prepared here by tools/gpu_wheels.sh): installs the
# carried wheels into /tmp/site (no network there), imports the package from the checkout, and runs
# benchmarks/gpu_scale.py with its results and log in $OUT. Arguments go to the script (e.g. --budget 480 --parts tune,default).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-gpu_scale_out}; mkdir -p "$out"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .gpu/wheels/*.whl
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
python3 benchmarks/gpu_scale.py --archive .gpu/cifar10_jpg.tgz --out "$out" "$@" 2>&1 | tee "$out/log.txt"
