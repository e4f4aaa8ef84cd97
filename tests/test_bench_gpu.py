"""benchmarks/bench_gpu.py without a GPU: the same code for a few steps on tiny sizes, said so."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_bench_gpu_runs_its_cpu_check_and_writes_its_json(tmp_path):
    backend = next((b for b in ("jax", "tensorflow") if importlib.util.find_spec(b)), None)
    if backend is None:
        pytest.skip("no Keras backend installed")
    out = tmp_path / "gpu.json"
    sizes = {"n": 24, "length": 60, "targets": 5, "batches": [4, 8], "steps": 1, "warm": 1}
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks/bench_gpu.py"), "--cpu", "--out", str(out),
                        "--backends", f"{backend},not_a_backend", "--budget", "400",
                        "--sizes", json.dumps(sizes)], env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads(out.read_text())
    assert res["mode"] == "cpu-check" and "no throughput" in res["notes"][0]
    assert res["backends"] == [backend] and res["not_installed"] == ["not_a_backend"]
    ms = res["measurements"]
    done = [m for m in ms if m.get("seq_per_s")]
    assert not [m for m in ms if "error" in m], ms
    # every kind of measurement ran at least once: streamed and in-memory training, mixed
    # precision, prediction, both presets
    assert {(m["kind"], m["preset"], m.get("input") if m["kind"] == "train" else "") for m in done} >= {
        ("train", "danq", "stream"), ("train", "danq", "memory"), ("predict", "danq", "")}
    assert any(m["mixed"] for m in done) and any(m["preset"] == "danq_jaspar" for m in done)
    assert all(m["backend"] == backend and m["device"] == "cpu" and m["seq_per_s"] > 0 for m in done)
    assert all(f["unit"].startswith("seq/s (CPU check") for f in res["figures"])
    assert res["ratios"] and res["ratios"][0]["baseline"] == "in memory"
    # the budget holds: a backend's process is stopped 10 s after its share at the latest
    assert res["sizes"]["n"] == 24 and res["wall_s"] < 400 + 30
