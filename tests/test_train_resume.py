"""The train rule's script killed with SIGKILL after its first checkpoint resumes when rerun, and
ends with the same bytes as a run that was never interrupted."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from helpers.data import write_split

ROOT = Path(__file__).resolve().parents[1]

# Runs workflow/scripts/train.py as snakemake would: with a `snakemake` object in its globals.
DRIVER = r'''
import json, runpy, sys, types

class Named(list):
    def __init__(self, d):
        super().__init__(d.values())
        self._d = d
        self.__dict__.update(d)
    def keys(self):
        return self._d.keys()

cfg = json.loads(sys.argv[1])
sm = types.SimpleNamespace(
    scriptdir=cfg["scriptdir"], threads=1, log=[cfg["log"]],
    input=Named(cfg["input"]), output=Named(cfg["output"]), params=Named(cfg["params"]))
runpy.run_path(cfg["scriptdir"] + "/train.py", init_globals={"snakemake": sm}, run_name="__main__")
'''

TINY = {"preset": "small", "kernels": 4, "kernel_width": 5, "pool": 4, "lstm_units": 3, "dense_units": 4}
TRAIN = dict(optimizer="adam", learning_rate=0.01, batch_size=50, max_epochs=25, patience=25,
             steps_per_epoch=0, shuffle_window=8, mixed_precision=False, jit_compile=False,
             threads=1, gpus=0)


def _job(d: Path, out: str):
    o = d / out
    return dict(scriptdir=str(ROOT / "workflow/scripts"), log=str(o / "train.log"),
                input={"train": str(d / "train.h5"), "valid": str(d / "valid.h5")},
                output={"model": str(o / "best.keras"), "history": str(o / "history.tsv"),
                        "targets": str(o / "targets.txt"), "curves": str(o / "curves.png")},
                params={"model": TINY, "train": TRAIN, "seed": 3, "checkpoint": str(o / "checkpoint")})


def _start(d, job):
    (d / "driver.py").write_text(DRIVER)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.Popen([sys.executable, str(d / "driver.py"), json.dumps(job)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.slow
def test_sigkill_then_rerun_resumes_and_matches_an_uninterrupted_run(tmp_path):
    rng = np.random.default_rng(0)
    for split, n in (("train", 500), ("valid", 100)):
        codes = rng.integers(0, 4, size=(n, 40)).astype(np.uint8)
        y = (rng.random((n, 2)) < 0.3).astype(np.uint8)
        codes[y[:, 0] == 1, 10:17] = [2, 0, 3, 3, 0, 1, 0]
        write_split(tmp_path / f"{split}.h5", codes, y, ["site", "noise"], "simulate", split)

    job = _job(tmp_path, "killed")
    state = Path(job["params"]["checkpoint"]) / "state.json"
    p = _start(tmp_path, job)
    deadline = time.time() + 300
    while not state.exists() and p.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    assert p.poll() is None, "training ended before its first checkpoint could be interrupted"
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    done = json.loads(state.read_text())["epochs_done"]
    assert 1 <= done < 25
    assert not Path(job["output"]["model"]).exists() and not Path(job["output"]["history"]).exists()

    p = _start(tmp_path, job)
    out, _ = p.communicate(timeout=600)
    assert p.returncode == 0, out.decode()[-3000:]
    log = Path(job["log"]).read_text()
    assert "resuming from the checkpoint after epoch" in log
    resumed_at = int(log.split("resuming from the checkpoint after epoch ")[1].split()[0])
    assert resumed_at >= done
    assert not Path(job["params"]["checkpoint"]).exists()                   # cleared after success

    ref = _job(tmp_path, "straight")
    p = _start(tmp_path, ref)
    out, _ = p.communicate(timeout=600)
    assert p.returncode == 0, out.decode()[-3000:]
    assert "resuming" not in Path(ref["log"]).read_text()
    for key in ("model", "history", "targets", "curves"):
        assert Path(job["output"][key]).read_bytes() == Path(ref["output"][key]).read_bytes(), key
    rows = Path(job["output"]["history"]).read_text().splitlines()
    assert [int(r.split("\t")[0]) for r in rows[1:]] == list(range(1, 26))
