#!/usr/bin/env bash
# Prepares, here, what the GPU machine needs for benchmarks/gpu_scale.py, in .gpu/ (ignored by git, carried by the run):
#   .gpu/wheels/          fastai and the pure-Python dependencies the machine lacks. It has Python 3.12, torch,
#                         torchvision, timm, numpy, pandas, scipy, scikit-learn, matplotlib, pillow, rich and pyyaml,
#                         but no fastai and no network. Downloaded with --no-deps: each needed one is named below.
#   .gpu/cifar10_jpg.tgz  the CIFAR-10 archive (19.6 MB), checked against its sha256.
# fastprogress is pinned to 1.0.3: 1.1 imports python-fasthtml, a web framework with a dozen more dependencies, and
# fastai 2.8 runs with either. Everything that travels (the checkout and .gpu/) must stay under 64 MiB.
# Usage: bash tools/gpu_wheels.sh [ARCHIVE]   (default ../shared/data/cifar10_jpg.tgz); then on the GPU machine: bash tools/gpu_run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
archive=${1:-../shared/data/cifar10_jpg.tgz}
ver() { python3 -c "import importlib.metadata as m; print(m.version('$1'))"; }
pkgs="fastai==$(ver fastai) fastcore==$(ver fastcore) fasttransform==$(ver fasttransform) fastdownload==$(ver fastdownload)
      fastprogress==1.0.3 plum-dispatch==$(ver plum-dispatch) beartype==$(ver beartype)"
rm -rf .gpu/wheels && mkdir -p .gpu/wheels
# shellcheck disable=SC2086
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation py \
  --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 --platform any -d .gpu/wheels $pkgs
cp "$archive" .gpu/cifar10_jpg.tgz
echo "5bbd2193f3b9982b20b3e62de1fcb9691706d5884e1bfe2840596f4c5f9b9bec  .gpu/cifar10_jpg.tgz" | sha256sum -c --quiet
ls -1 .gpu/wheels
tracked=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
extra=$(du -sb .gpu | cut -f1)
echo "travels: checkout $((tracked/1048576)) MiB + .gpu $((extra/1048576)) MiB = $(((tracked+extra)/1048576)) MiB (limit 64 MiB)"
[ $((tracked+extra)) -lt $((64*1048576)) ] || { echo "over 64 MiB: leave something out"; exit 1; }
