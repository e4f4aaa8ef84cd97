"""Variant scoring (score-variants): throughput on 2 CPU cores and peak memory against the number
of variants, side by side with the `predict` command over the same windows.

    .venv/bin/python benchmarks/bench_variants.py [--quick]

A small model (16 kernels x 10, pool 5, BiLSTM 8, dense 16, 8 targets, 200 bp; random weights)
and a random genome (4 chromosomes of 2.5 Mb) are written to a temporary directory, with VCFs of
10^3, 10^4 and 10^5 variants (every 90 bp; 80% SNVs, 10% insertions and 10% deletions of 1-5 bp,
REF taken from the genome). Each run is a child process limited to 2 TensorFlow threads whose
resident memory is sampled every 20 ms with psutil (peak RSS). score-variants predicts both
alleles on both strands (reverse-complement averaging, as the default) and writes the TSV and
the HDF5. The baseline writes the same reference and alternative windows to a FASTA and runs
`predict` on it (both strands too), so the ratio is the cost of reading the VCF and the genome,
checking REF, building the windows and writing the four features.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # result_file.py, beside this file
from result_file import write_result  # noqa: E402
SRC = HERE.parent / "src"
sys.path.insert(0, str(SRC))

W, T, THREADS, BATCH, CHUNK = 200, 8, 2, 256, 1024
CHROM_LEN, N_CHROMS, STEP = 2_500_000, 4, 90

CHILD = r"""
import json, os, sys, time
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
sys.path.insert(0, sys.argv[1])
from danqmotifs.model.training.runtime import set_threads
set_threads(int(sys.argv[2]))
mode, d = sys.argv[3], sys.argv[4]
t0 = time.perf_counter()
if mode == "variants":
    import warnings
    from danqmotifs.model.variants import score_vcf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = score_vcf(d + "/m.keras", sys.argv[5], d + "/genome.fa", sys.argv[6] + ".tsv", sys.argv[6] + ".h5",
                      sys.argv[6] + ".skipped.tsv", int(sys.argv[7]), True, int(sys.argv[8]), log=lambda m: None)
    n = c["scored"]
else:
    from danqmotifs.model.predict import predict_fasta
    n = predict_fasta(d + "/m.keras", sys.argv[5], sys.argv[6] + ".tsv", int(sys.argv[7]), True) // 2
print(json.dumps({"n": n, "seconds": time.perf_counter() - t0}))
"""


def run_child(args: list[str]) -> dict:
    """Run CHILD with ``args``; its JSON plus the peak RSS (MB) sampled with psutil."""
    import psutil

    p = subprocess.Popen([sys.executable, "-c", CHILD, str(SRC), str(THREADS), *args],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc, peak = psutil.Process(p.pid), 0
    while p.poll() is None:
        try:
            peak = max(peak, proc.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.02)
    out, err = p.communicate()
    if p.returncode != 0:
        raise RuntimeError(err[-3000:])
    res = json.loads(out.strip().splitlines()[-1])
    res["peak_rss_mb"] = peak / 2**20
    return res


def write_inputs(d: Path, sizes: list[int], seed: int = 0) -> dict:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from danqmotifs.model import ModelSpec, build_model
    import keras

    keras.utils.set_random_seed(seed)
    build_model(ModelSpec(kernels=16, kernel_width=10, pool=5, lstm_units=8, dense_units=16, n_targets=T,
                          length=W)).save(d / "m.keras")
    rng = np.random.default_rng(seed)
    chroms = {f"chr{i + 1}": rng.choice(np.frombuffer(b"ACGT", np.uint8), CHROM_LEN).tobytes().decode()
              for i in range(N_CHROMS)}
    with open(d / "genome.fa", "w") as fh:
        for name, s in chroms.items():
            fh.write(f">{name}\n")
            fh.writelines(s[i:i + 60] + "\n" for i in range(0, len(s), 60))
    sites = [(c, p) for c in chroms for p in range(1000, CHROM_LEN - 1000, STEP)]
    vcfs = {}
    for n in sizes:
        lines = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
        kinds = rng.random(n)
        for k in range(n):
            c, p = sites[k]
            s = chroms[c]
            if kinds[k] < 0.8:
                ref = s[p - 1]
                alt = "ACGT"[("ACGT".index(ref) + 1 + int(rng.integers(3))) % 4]
            elif kinds[k] < 0.9:
                ref = s[p - 1]
                alt = ref + "".join(rng.choice(list("ACGT"), int(rng.integers(1, 6))))
            else:
                ref = s[p - 1:p + int(rng.integers(1, 6))]
                alt = ref[0]
            lines.append(f"{c}\t{p}\tv{k}\t{ref}\t{alt}\t.\tPASS\t.")
        vcfs[n] = d / f"v{n}.vcf"
        vcfs[n].write_text("\n".join(lines) + "\n")
    return vcfs


def windows_fasta(d: Path, vcf: Path, out: Path) -> None:
    """The reference and alternative windows of every variant, as a FASTA for `predict`."""
    from danqmotifs.core.alphabet import decode
    from danqmotifs.model.variants import iter_vcf, windows
    from danqmotifs.sources.bed import open_genome

    g = open_genome(d / "genome.fa")
    lengths = {k: len(g[k]) for k in g.keys()}
    with open(out, "w") as fh:
        for v in iter_vcf(vcf):
            ref, alt = windows(g, lengths, v, W)
            fh.write(f">{v.id}_ref\n{decode(ref)}\n>{v.id}_alt\n{decode(alt)}\n")
    g.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10^3 and 10^4 variants only")
    args = ap.parse_args()
    sizes = [1000, 10000] if args.quick else [1000, 10000, 100000]
    side = 10000
    figures, ratios = [], []
    with tempfile.TemporaryDirectory(prefix="bench_variants.") as tmp:
        d = Path(tmp)
        vcfs = write_inputs(d, sizes)
        for n in sizes:
            r = run_child(["variants", str(d), str(vcfs[n]), str(d / f"out{n}"), str(BATCH), str(CHUNK)])
            print(f"score-variants, {n} variants: {r}", flush=True)
            figures += [{"what": f"score-variants, {n} variants: throughput (2 threads, both alleles, both strands)",
                         "value": r["n"] / r["seconds"], "unit": "variants/s"},
                        {"what": f"score-variants, {n} variants: peak RSS", "value": r["peak_rss_mb"], "unit": "MB"}]
            if n == side:
                windows_fasta(d, vcfs[n], d / "windows.fa")
                b = run_child(["predict", str(d), str(d / "windows.fa"), str(d / "pred"), str(BATCH)])
                print(f"predict, same windows: {b}", flush=True)
                figures += [{"what": f"predict on the same {n} x 2 windows (FASTA): throughput",
                             "value": b["n"] / b["seconds"], "unit": "variants/s"},
                            {"what": f"predict on the same {n} x 2 windows: peak RSS", "value": b["peak_rss_mb"],
                             "unit": "MB"}]
                ratios.append({"what": f"throughput at {n} variants, score-variants / predict",
                               "value": (r["n"] / r["seconds"]) / (b["n"] / b["seconds"]), "baseline": "predict"})
        peaks = [f["value"] for f in figures if f["what"].startswith("score-variants") and "peak" in f["what"]]
        ratios.append({"what": f"peak RSS at {sizes[-1]} / at {sizes[0]} variants", "value": peaks[-1] / peaks[0],
                       "baseline": f"{sizes[0]} variants"})
    write_result("variants", figures, ratios)
    print(json.dumps(ratios, indent=1))


if __name__ == "__main__":
    main()
