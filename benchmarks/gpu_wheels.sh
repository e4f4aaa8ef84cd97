#!/bin/sh
# Download into .whl/ (gitignored) the wheels the device tool's GPU image lacks for
# benchmarks/bench_gpu.py: Keras and the two of its dependencies that image does not hold (it has
# numpy, h5py, absl-py, rich, ml-dtypes, packaging, JAX 0.11 and PyTorch 2.11, for Python 3.12,
# and no network). About 3 MB together, well inside the 64 MiB that a call carries.
#
#     sh benchmarks/gpu_wheels.sh          # once, here, in the repository's root
#
# Then the one-line run is in docs/gpu.md.
set -eu
cd "$(dirname "$0")/.."
python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux1_x86_64 \
    -d .whl keras==3.15.1 namex==0.1.0 optree==0.20.0
ls -l .whl
