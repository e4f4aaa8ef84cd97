"""GPU training and prediction throughput of DanQ, per Keras backend, in one command.

    python3 benchmarks/bench_gpu.py [--out FILE] [--budget SECONDS] [--backends jax,torch,tensorflow]

Runs from a fresh checkout (it puts ``src/`` on the path; nothing needs installing but Keras and a
backend) and installs nothing. It writes a DeepSEA-sized synthetic data file (50,000 random
sequences x 1000 bp x 919 targets, about 100 MB, in a temporary folder) and then, for each Keras
backend that is installed (each in a process of its own, as a process has one backend), measures:

* training throughput (sequences/s) of the ``danq`` and ``danq_jaspar`` presets (the
  architectures; danq_jaspar's JASPAR initialisation does not change the speed and is left out),
  streaming the shuffled file through ``SplitSequence.keras_dataset`` as the train rule does,
  with mixed precision off and on, XLA/jit off and on (TensorFlow: XLA; JAX: ``jax.jit``, off is
  op by op; PyTorch: ``torch.compile``), at batch 100 (the paper's) and a larger one;
* the same steps on data already in memory (one-hot arrays, ``model.fit(x, y)``), side by side:
  the streamed rate over the in-memory one says whether the input keeps the GPU busy;
* prediction throughput (``predict_on_batch``, forward strand only: the evaluate stage's
  reverse-complement average runs it twice);
* peak GPU memory of each measurement (JAX: the process's peak so far; it cannot be reset).

Each measurement compiles and warms up first (not timed), then times up to ``--steps`` steps or
``--cap`` seconds. The most wanted measurements run first; the JSON (``--out``, default
benchmarks/out/gpu.json, the ``run_all.py`` layout plus every measurement's details) is written
after every measurement, so a run cut short keeps what it measured, and the whole run stops by
itself within ``--budget`` seconds (default 450: under 8 minutes), each backend getting an equal
share of what is left. Without a GPU it runs the same code for a few steps on tiny sizes and says
so in the JSON (``"mode": "cpu-check"``): the figures are then no throughput.

On the GPU machine of the ``device`` tool (CUDA 13, JAX 0.11, PyTorch 2.11, no TensorFlow, no
network), with the wheels of ``benchmarks/gpu_wheels.sh`` carried in ``.whl``: see docs/gpu.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # result_file.py, beside this file
from result_file import write_json  # noqa: E402
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

ORDER = ("jax", "torch", "tensorflow")                   # JAX first: often the fastest on NVIDIA
GPU_SIZES = dict(n=50_000, length=1000, targets=919, batches=(100, 500), steps=200, cap=10.0, warm=3)
CPU_SIZES = dict(n=64, length=200, targets=20, batches=(4, 8), steps=2, cap=20.0, warm=1)


def gpu_name(timeout: float = 30) -> str:
    """nvidia-smi's name and memory of each GPU ("; " between them), or "none"."""
    try:
        r = subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader"],
                           capture_output=True, text=True, timeout=timeout)
        if r.returncode == 0 and r.stdout.strip():
            return r.stdout.strip().replace("\n", "; ")
    except (OSError, subprocess.TimeoutExpired):
        pass
    return "none"


def machine() -> str:
    """CPU, cores, GPU (nvidia-smi's name and memory) and Python, for the results."""
    import platform

    return f"{platform.machine()}, {os.cpu_count()} cores, GPU: {gpu_name()}, Python {platform.python_version()}"


def gpu_present() -> bool:
    """An NVIDIA GPU answers nvidia-smi (decides the sizes before any backend starts)."""
    if shutil.which("nvidia-smi") is None:
        return False
    try:
        r = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0 and "GPU" in r.stdout


# ------------------------------------------------------------------------------ the JSON file

def _label(m: dict) -> str:
    what = "train" if m["kind"] == "train" else "predict"
    inp = f" {m['input']}" if m["kind"] == "train" else ""
    return (f"{m['backend']} {m['preset']} {what}{inp}, batch {m['batch']}, "
            f"mixed precision {'on' if m['mixed'] else 'off'}, jit {'on' if m['jit'] else 'off'}")


def _summarise(res: dict) -> None:
    """The run_all.py view: figures (throughput, peak memory) and streamed / in-memory ratios."""
    unit = "seq/s" if res["mode"] == "gpu" else "seq/s (CPU check, a few steps: no throughput)"
    figs, ratios = [], []
    for m in res["measurements"]:
        if m.get("seq_per_s") is not None:
            figs.append(dict(what=_label(m), value=round(m["seq_per_s"], 1), unit=unit))
        if m.get("peak_gpu_mb") is not None:
            figs.append(dict(what=_label(m) + ": peak GPU memory", value=round(m["peak_gpu_mb"]), unit="MB"))
    for m in res["measurements"]:
        if m["kind"] == "train" and m["input"] == "memory" and m.get("seq_per_s"):
            twin = [s for s in res["measurements"] if s["kind"] == "train" and s["input"] == "stream"
                    and all(s[k] == m[k] for k in ("backend", "preset", "batch", "mixed", "jit"))
                    and s.get("seq_per_s")]
            if twin:
                ratios.append(dict(what=_label(twin[0]).replace(" stream", "") + ": streamed / in memory",
                                   value=twin[0]["seq_per_s"] / m["seq_per_s"], baseline="in memory"))
    res["figures"], res["ratios"] = figs, ratios


def record(path: Path, entry: dict) -> None:
    """Append one measurement to the JSON at ``path`` and rewrite it (atomically)."""
    res = json.loads(path.read_text())
    res["measurements"].append(entry)
    _summarise(res)
    write_json(path, res)


# ------------------------------------------------------------------------------ one backend

def plan(cpu: bool, batches) -> list[dict]:
    """Measurements in the order they are wanted (the budget may end the list early)."""
    small, big = batches
    m = lambda kind, preset, batch, mixed=False, jit=True, inp="stream": dict(  # noqa: E731
        kind=kind, preset=preset, batch=batch, mixed=mixed, jit=jit, input=inp)
    if cpu:
        return [m("train", "danq", small), m("train", "danq", small, inp="memory"),
                m("train", "danq", big, mixed=True), m("predict", "danq", big),
                m("train", "danq_jaspar", small), m("predict", "danq_jaspar", big)]
    return [m("train", "danq", small), m("train", "danq", small, inp="memory"),
            m("train", "danq", small, mixed=True), m("train", "danq", big),
            m("train", "danq", big, inp="memory"), m("train", "danq", big, mixed=True),
            m("predict", "danq", 500), m("predict", "danq", 500, mixed=True),
            m("train", "danq_jaspar", small), m("train", "danq_jaspar", small, inp="memory"),
            m("train", "danq_jaspar", small, mixed=True), m("train", "danq_jaspar", big, mixed=True),
            m("predict", "danq_jaspar", 500),
            m("train", "danq", small, jit=False), m("train", "danq", small, mixed=True, jit=False),
            m("train", "danq_jaspar", small, jit=False)]


class _Memory:
    """Peak GPU memory per measurement, as each backend reports it."""

    def __init__(self, backend: str, gpu: bool):
        self.backend, self.gpu = backend, gpu

    def reset(self) -> None:
        if not self.gpu:
            return
        if self.backend == "torch":
            import torch

            torch.cuda.reset_peak_memory_stats()
        elif self.backend == "tensorflow":
            import tensorflow as tf

            tf.config.experimental.reset_memory_stats("GPU:0")

    def peak_mb(self) -> float | None:
        if not self.gpu:
            return None
        try:
            if self.backend == "torch":
                import torch

                return torch.cuda.max_memory_allocated() / 2**20
            if self.backend == "tensorflow":
                import tensorflow as tf

                return tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2**20
            import jax

            return jax.local_devices()[0].memory_stats()["peak_bytes_in_use"] / 2**20
        except Exception:                                  # a backend without the statistic
            return None


def measure(m: dict, data: Path, sizes: dict, until: float) -> dict:
    """One measurement: build and compile, warm up (not timed), then time steps."""
    import keras
    import numpy as np

    from danqmotifs.core.alphabet import codes_to_onehot
    from danqmotifs.model import build_model, count_params, spec_from_config
    from danqmotifs.model.training import SplitSequence, TrainSettings, compile_model

    keras.backend.clear_session()
    keras.utils.set_random_seed(1)
    spec = spec_from_config({"preset": m["preset"]}, sizes["length"], sizes["targets"])
    model = build_model(spec, mixed_precision=m["mixed"])
    settings = TrainSettings(optimizer="rmsprop", learning_rate=0.001, mixed_precision=m["mixed"])
    compile_model(model, settings, jit_compile=m["jit"])
    b, warm = m["batch"], sizes["warm"]
    cap = min(sizes["cap"], max(1.0, until - time.time() - 5))
    out = dict(m, params=count_params(spec))
    if m["kind"] == "predict":
        ds = SplitSequence(data, b, shuffle=False)
        try:
            steps = min(len(ds) - warm, sizes["steps"])
            t0 = time.perf_counter()
            for i in range(warm):
                model.predict_on_batch(ds[i][0])
            out["warmup_s"] = time.perf_counter() - t0
            t0, done = time.perf_counter(), 0
            for i in range(warm, warm + steps):
                np.asarray(model.predict_on_batch(ds[i][0]))
                done += 1
                if time.perf_counter() - t0 > cap:
                    break
            dt = time.perf_counter() - t0
        finally:
            ds.close()
        out.update(steps=done, seconds=dt, seq_per_s=done * b / dt)
        return out

    class Cap(keras.callbacks.Callback):
        """Counts the timed steps and stops at the time cap."""

        def on_train_begin(self, logs=None):
            self.t0, self.steps = time.perf_counter(), 0

        def on_train_batch_end(self, batch, logs=None):
            self.steps += 1
            if time.perf_counter() - self.t0 > cap:
                self.model.stop_training = True

    ds = SplitSequence(data, b, shuffle=True, seed=1)
    steps = min(len(ds) - warm, sizes["steps"])
    try:
        if m["input"] == "stream":
            warm_in, timed_in = ds.keras_dataset(), ds.keras_dataset(first_epoch=1)
            kw = {}
        else:                                   # the same steps' batches, one-hot, in memory
            codes, y = zip(*(ds.batch_codes(i) for i in range(warm + steps)))
            x, y = codes_to_onehot(np.concatenate(codes)), np.concatenate(y).astype(np.float32)
            warm_in, timed_in = (x[:warm * b], y[:warm * b]), (x[warm * b:], y[warm * b:])
            kw = dict(batch_size=b, shuffle=False)
        t0 = time.perf_counter()
        if m["input"] == "stream":
            model.fit(warm_in, epochs=1, steps_per_epoch=warm, verbose=0)
        else:
            model.fit(*warm_in, epochs=1, verbose=0, **kw)
        out["warmup_s"] = time.perf_counter() - t0
        timer = Cap()
        t0 = time.perf_counter()
        if m["input"] == "stream":
            model.fit(timed_in, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[timer])
        else:
            model.fit(*timed_in, epochs=1, verbose=0, callbacks=[timer], **kw)
        dt = time.perf_counter() - t0         # fit returns with its logs read: the steps are done
    finally:
        ds.close()
    out.update(steps=timer.steps, seconds=dt, seq_per_s=timer.steps * b / dt)
    return out


def child(args) -> None:
    from danqmotifs.model.training.runtime import configure_runtime, gpu_count, select_backend

    # no deterministic ops: they slow GPUs down and throughput is what is measured here
    os.environ.setdefault("XLA_FLAGS", "--xla_gpu_deterministic_ops=false")
    select_backend(args.child)
    notes = configure_runtime(1, None, deterministic=False)
    gpu = gpu_count() > 0
    sizes = json.loads(args.sizes)
    mem = _Memory(args.child, gpu)
    import keras

    base = dict(backend=args.child, keras=keras.__version__, device="gpu" if gpu else "cpu")
    try:
        base["backend_version"] = importlib.import_module(args.child).__version__
    except Exception:
        pass
    print(f"{args.child}: {'GPU' if gpu else 'no GPU: a CPU check'}; {'; '.join(notes)}", flush=True)
    for m in plan(not gpu, sizes["batches"]):
        m = dict(base, **m)
        if time.time() > args.until - 10:
            record(Path(args.json), dict(m, skipped="the time budget was spent"))
            continue
        mem.reset()
        try:
            r = measure(m, Path(args.data), sizes, args.until)
            r["peak_gpu_mb"] = mem.peak_mb()
        except Exception as exc:                           # one failure does not end the run
            r = dict(m, error=f"{type(exc).__name__}: {str(exc)[:400]}")
        print(f"  {_label(m)}: " + (f"{r['seq_per_s']:.1f} seq/s" if "seq_per_s" in r else r["error"]),
              flush=True)
        record(Path(args.json), r)


# ------------------------------------------------------------------------------ the run

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE / "out" / "gpu.json", help="the JSON written")
    ap.add_argument("--budget", type=float, default=450.0, help="seconds for the whole run (default 450)")
    ap.add_argument("--backends", default=",".join(ORDER), help="comma-separated, those installed run")
    ap.add_argument("--cpu", action="store_true", help="the CPU check even where a GPU is present")
    ap.add_argument("--quick", action="store_true", help="(run_all.py) same as --cpu")
    ap.add_argument("--sizes", default=None, help="JSON overriding the sizes (n, length, targets, "
                    "batches, steps, cap, warm)")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--data", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--json", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--until", type=float, default=0.0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)

    start = time.time()
    deadline = start + args.budget
    gpu = gpu_present() and not (args.cpu or args.quick)
    sizes = dict(GPU_SIZES if gpu else CPU_SIZES)
    sizes.update(json.loads(args.sizes) if args.sizes else {})
    backends = [b for b in args.backends.split(",") if b and importlib.util.find_spec(b) is not None]
    missing = [b for b in args.backends.split(",") if b and b not in backends]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    res = dict(name="gpu", command="python3 benchmarks/bench_gpu.py " + " ".join(sys.argv[1:]),
               mode="gpu" if gpu else "cpu-check", machine=machine(), sizes=sizes, backends=backends,
               not_installed=missing, started=time.strftime("%Y-%m-%d %H:%M:%S"), measurements=[],
               figures=[], ratios=[], notes=[])
    if not gpu:
        res["notes"].append("no GPU found (nvidia-smi) or --cpu: the same code ran for a few steps on "
                            "tiny sizes on the CPU to check it; the figures are no throughput")
    write_json(args.out, res)
    print(f"bench_gpu: {res['mode']}, backends {backends or 'none'} (not installed: {missing or 'none'})",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="bench_gpu.") as tmp:
        data = Path(tmp) / "synthetic.h5"
        t0 = time.perf_counter()
        write_random(data, sizes["n"], sizes["length"], sizes["targets"])
        res = json.loads(args.out.read_text())
        res["data_write_s"] = time.perf_counter() - t0
        write_json(args.out, res)
        for i, b in enumerate(backends):
            share = (deadline - time.time()) / (len(backends) - i)
            until = time.time() + share
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child", b, "--data", str(data),
                   "--json", str(args.out), "--until", str(until), "--sizes", json.dumps(sizes)]
            env = dict(os.environ, KERAS_BACKEND=b, TF_CPP_MIN_LOG_LEVEL="2")
            try:
                r = subprocess.run(cmd, env=env, timeout=max(5.0, share + 10))
                note = None if r.returncode == 0 else f"{b}: the process ended with code {r.returncode}"
            except subprocess.TimeoutExpired:
                note = f"{b}: stopped at its time share ({share:.0f} s); what it measured is kept"
            if note:
                res = json.loads(args.out.read_text())
                res["notes"].append(note)
                write_json(args.out, res)
    res = json.loads(args.out.read_text())
    res["wall_s"] = time.time() - start
    write_json(args.out, res)
    print(f"wrote {args.out} ({len(res['measurements'])} measurements, {res['wall_s']:.0f} s)")


def write_random(path: Path, n: int, length: int, n_targets: int, seed: int = 0, block: int = 10_000) -> None:
    """A data file of ``n`` random sequences and sparse random targets (5% positive), by blocks."""
    import numpy as np

    from danqmotifs.sources.datafile import DataWriter

    rng = np.random.default_rng(seed)
    with DataWriter(path, length, [f"target_{i:04d}" for i in range(n_targets)], "deepsea", "train") as w:
        for s in range(0, n, block):
            k = min(block, n - s)
            w.append(rng.integers(0, 4, size=(k, length), dtype=np.uint8),
                     (rng.random((k, n_targets)) < 0.05).astype(np.uint8))


if __name__ == "__main__":
    main()
