"""End to end: the motif rules (dump_kernels -> scan_kernels -> estimate_base -> motif_method
-> kernel_table) on a
tiny Keras model and a small data split, through snakemake."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

from helpers.data import write_split

REPO = Path(__file__).resolve().parents[1]
OUTPUTS = ["kernels.h5", "base.json", "base_profile.png", "exact.h5", "heuristic.h5", "kernel_table.tsv",
           "exact.json", "heuristic.json"]


def make_inputs(work: Path):
    import keras

    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, size=(400, 60)).astype(np.uint8)
    targets = (rng.random((400, 2)) < 0.3).astype(np.uint8)
    for split in ("train", "valid", "test"):
        write_split(work / "results" / "data" / f"{split}.h5", codes, targets, ["t0", "t1"], "simulate", split)
    keras.utils.set_random_seed(0)
    inp = keras.Input((60, 4))
    h = keras.layers.Conv1D(6, 9, activation="relu", name="conv")(inp)
    out = keras.layers.Dense(2, activation="sigmoid")(keras.layers.GlobalMaxPooling1D()(h))
    model = keras.Model(inp, out)
    bias = np.array([-2.0, -1.0, 0.0, -3.0, -1.5, -1000.0], dtype="float32")   # kernel 5 never fires
    model.get_layer("conv").set_weights([rng.standard_normal((9, 4, 6)).astype("float32"), bias])
    (work / "results" / "model").mkdir(parents=True)
    model.save(work / "results" / "model" / "best.keras")


def run_snakemake(work: Path, extra=()):
    targets = [f"results/motifs/{o}" for o in OUTPUTS]
    cmd = [str(Path(sys.executable).parent / "snakemake"), "-s", str(REPO / "Snakefile"), "-d", str(work),
           "--cores", "2", "--nolock", "--rerun-triggers", "mtime",
           "--allowed-rules", "dump_kernels", "scan_kernels", "estimate_base", "motif_method", "kernel_table",
           *extra, "--", *targets]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=work, env=env, timeout=900)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return res


@pytest.mark.slow
def test_motif_rules_end_to_end(tmp_path):
    work = tmp_path / "w"
    work.mkdir()
    cfg = yaml.safe_load((REPO / "config.yaml").read_text())
    cfg["results"] = "results"
    cfg["motifs"].update(n_sequences=300, positive_for=["t1"], base="per_kernel", heuristic_strands="both",
                         engine="blas")
    (work / "config.yaml").write_text(yaml.safe_dump(cfg))
    make_inputs(work)
    run_snakemake(work)
    mot = work / "results" / "motifs"
    for o in OUTPUTS:
        assert (mot / o).stat().st_size > 0, o
    with h5py.File(mot / "kernels.h5") as f:
        assert f["kernels"].shape == (6, 9, 4) and f["sequences"].shape[1:] == (60, 4)
        assert f.attrs["orientation"] == "correlation" and f.attrs["split"] == "test"
        rows = f["rows"][()]
    with h5py.File(work / "results" / "data" / "test.h5") as f:
        assert np.all(f["targets"][()][rows, 1] == 1)                 # positive_for: [t1]
    base = json.loads((mot / "base.json").read_text())
    assert base["options"] == {"sequences": "activated", "base": "per_kernel", "strands": "forward"}
    assert len(base["ln_b"]) == 6 and base["K"] == 6 and base["n"] == rows.size
    assert base["no_data_kernels"] == [5]
    exact = json.loads((mot / "exact.json").read_text())
    assert exact["passed"] and exact["max_abs_error"] <= 1e-9
    with h5py.File(mot / "exact.h5") as f:
        P = f["PWM_tensor"][()]
        np.testing.assert_allclose(P.sum(axis=-1), 1.0)
        np.testing.assert_allclose(f["ln_b"][()], base["ln_b"])
        assert f["nsites"][()].tolist() == base["nsites"]
    with h5py.File(mot / "heuristic.h5") as f:
        assert f["dead"][()].tolist() == [False] * 5 + [True]
        assert np.all(np.isfinite(f["PWM_tensor"][()]))
        assert np.all(f["nsites"][()][:5] > 0)
    table = (mot / "kernel_table.tsv").read_text().splitlines()
    assert table[0].startswith("kernel\tln_b") and len(table) == 7 and "\ttrue\t" in table[6]
    # same config + seed -> same bytes
    digests = {o: hashlib.sha256((mot / o).read_bytes()).hexdigest()
               for o in OUTPUTS}
    run_snakemake(work, ["--forcerun", "dump_kernels"])
    for o, d in digests.items():
        assert hashlib.sha256((mot / o).read_bytes()).hexdigest() == d, o
