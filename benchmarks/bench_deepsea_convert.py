"""Converting a DeepSEA-layout train.mat to the sample-major data layout: throughput and peak memory.

    .venv/bin/python benchmarks/bench_deepsea_convert.py [--quick] [--keep]

Writes train.mat files of random one-hot (N x 1000 bp, 919 targets) in DeepSEA's layout (HDF5
behind a 512-byte user block, sample axis last, A,G,C,T) into a temporary directory, in blocks, in
two storage variants:

* ``matlab``: chunks of 4096 elements, (512, 4, 2) for trainxdata, deflate level 3 -- a guess at
  what MATLAB v7.3 writes (MATLAB's own choice for DeepSEA's file is not documented);
* ``plain``: contiguous and uncompressed (800 MB at N = 200,000).

Each conversion runs in its own child process, which reports its peak RSS (VmHWM). The
baseline, run side by side on the same files, is the load-it-all approach: np.array() of the whole
dataset, a transposed copy, then codes. Figures at two N show whether peak RSS grows with N.
The generated files are deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # result_file.py, beside this file
from result_file import write_result  # noqa: E402
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE.parent / "tests"))  # the DeepSEA file writers are test helpers

from helpers.deepsea import write_mat73  # noqa: E402

L, T = 1000, 919
BLOCK = 10000

# run in a child: convert (streaming) or the load-everything baseline; print time and peak RSS
CHILD = r"""
import json, sys, time
import numpy as np
sys.path.insert(0, sys.argv[4])
sys.path.insert(0, sys.argv[4].rsplit('/', 1)[0] + '/tests')
import h5py
from danqmotifs.core.alphabet import DEEPSEA_TO_ACGT, onehot_to_codes
from helpers.data import write_split
from danqmotifs.sources.deepsea import MatSplit, convert_split
mode, src, out = sys.argv[1], sys.argv[2], sys.argv[3]
t0 = time.perf_counter()
if mode == "stream":
    with MatSplit(src, "train") as m:
        convert_split(m, out, [f"t{i}" for i in range(m.n_targets)], int(sys.argv[5]))
        n = m.n
else:
    with h5py.File(src, "r") as f:
        x = np.array(f["trainxdata"])                     # (L, 4, N), all of it
        y = np.array(f["traindata"]).T
    x = np.transpose(x, (2, 0, 1))[:, :, DEEPSEA_TO_ACGT]  # (N, L, 4) A,C,G,T: a copy
    codes = onehot_to_codes(x)
    del x
    write_split(out, codes, y, [f"t{i}" for i in range(y.shape[1])], "deepsea", "train")
    n = codes.shape[0]
dt = time.perf_counter() - t0
# VmHWM belongs to this process image alone (getrusage's maxrss can carry the parent's over exec)
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"n": n, "seconds": dt, "peak_rss_mb": hwm / 1024}))
"""


def _blocks(n: int, seed: int):
    rng = np.random.default_rng(seed)
    for a in range(0, n, BLOCK):
        b = min(a + BLOCK, n)
        yield rng.integers(0, 4, size=(b - a, L), dtype=np.uint8), (rng.random((b - a, T)) < 0.05).astype(np.uint8)


def _child(mode: str, src: Path, out: Path) -> dict:
    r = subprocess.run([sys.executable, "-c", CHILD, mode, str(src), str(out), str(HERE.parent / "src"), str(BLOCK)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{mode} conversion failed:\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def _check(out: Path, n: int, seed: int) -> None:
    """The converted file holds the generated sequences (first and last block)."""
    from danqmotifs.sources.datafile import DataReader

    first = last = None
    for blk in _blocks(n, seed):          # regenerated one block at a time
        first = blk if first is None else first
        last = blk
    blocks = [first, last]
    with DataReader(out) as r:
        assert r.n == n
        np.testing.assert_array_equal(r.read(0, len(blocks[0][0]))[0], blocks[0][0])
        np.testing.assert_array_equal(r.read(n - len(blocks[-1][0]), n)[0], blocks[-1][0])
        np.testing.assert_array_equal(r.read(n - len(blocks[-1][1]), n)[1], blocks[-1][1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="N = 20,000 and 5,000 instead of 200,000 and 50,000")
    ap.add_argument("--no-baseline", action="store_true", help="skip the load-everything baseline")
    args = ap.parse_args()
    sizes = [20_000, 5_000] if args.quick else [200_000, 50_000]
    figures, ratios = [], []
    tmp = Path(tempfile.mkdtemp(prefix="bench_deepsea_"))
    try:
        for variant, chunks in (("matlab", "matlab"), ("plain", None)):
            for n in sizes:
                src = tmp / f"train_{variant}_{n}.mat"
                t0 = time.perf_counter()
                write_mat73(src, "train", n, L, T, _blocks(n, seed=n), chunks=chunks)
                gen = time.perf_counter() - t0
                size_mb = src.stat().st_size / 2**20
                print(f"[{variant} N={n}] wrote {size_mb:.0f} MB in {gen:.1f} s", flush=True)
                res = _child("stream", src, tmp / "out.h5")
                _check(tmp / "out.h5", n, seed=n)
                (tmp / "out.h5").unlink()
                rate = n / res["seconds"]
                print(f"[{variant} N={n}] streaming: {res['seconds']:.1f} s, {rate:,.0f} samples/s, "
                      f"peak RSS {res['peak_rss_mb']:.0f} MB", flush=True)
                figures += [
                    {"what": f"{variant} train.mat, N={n}: file size", "value": round(size_mb, 1), "unit": "MB"},
                    {"what": f"{variant} N={n}: conversion throughput", "value": round(rate), "unit": "samples/s"},
                    {"what": f"{variant} N={n}: conversion peak RSS", "value": round(res["peak_rss_mb"]), "unit": "MB"},
                ]
                if not args.no_baseline:
                    base = _child("loadall", src, tmp / "base.h5")
                    (tmp / "base.h5").unlink()
                    brate = n / base["seconds"]
                    print(f"[{variant} N={n}] load-all baseline: {base['seconds']:.1f} s, {brate:,.0f} samples/s, "
                          f"peak RSS {base['peak_rss_mb']:.0f} MB", flush=True)
                    figures += [
                        {"what": f"{variant} N={n}: load-all baseline throughput", "value": round(brate), "unit": "samples/s"},
                        {"what": f"{variant} N={n}: load-all baseline peak RSS", "value": round(base["peak_rss_mb"]), "unit": "MB"},
                    ]
                    ratios += [
                        {"what": f"{variant} N={n}: throughput, streaming / load-all", "value": round(rate / brate, 3),
                         "baseline": "load-all"},
                        {"what": f"{variant} N={n}: peak RSS, streaming / load-all",
                         "value": round(res["peak_rss_mb"] / base["peak_rss_mb"], 3), "baseline": "load-all"},
                    ]
                src.unlink()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    cmd = ".venv/bin/python benchmarks/bench_deepsea_convert.py" + (" --quick" if args.quick else "")
    print(write_result("deepsea_convert", figures, ratios, cmd).read_text(), end="")


if __name__ == "__main__":
    main()
