"""Training throughput of the streaming input pipeline, and memory while training on a big file.

    .venv/bin/python benchmarks/bench_train.py [--quick]

1. Throughput (sequences/s), side by side in one process: the same DanQ architecture trained
   a) by ``model.fit`` on ``SplitSequence.keras_dataset()``, which streams shuffled batches of base codes
      from a data file and one-hot encodes them on the fly (what the train rule does), and
   b) by ``model.fit`` on in-memory NumPy arrays (one-hot float32 and targets, shuffled by Keras),
   at full DanQ size (1000 bp, 919 targets, 46.9 M parameters) and at the small preset (the
   embedded default: 200 bp, 10 targets). Fit calls alternate between a) and b) (a, b, b, a), each
   of one uncounted warm-up epoch and 2 timed ones (1 with --quick); the figure is N / median
   epoch time, with the CPU time beside it.
2. Peak RSS of a training process (a child process each, so each peak is its own) streaming from a
   data file in the DeepSEA layout (1000 bp, 919 targets) of 20,000 and of 200,000 sequences:
   flat in N. The small preset's architecture at 1000 bp x 919 targets runs a few hundred steps
   over the whole shuffled file; full DanQ runs a few steps on the 200,000 file. The files are
   written with DataWriter from random codes, in blocks, and deleted afterwards.
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

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # result_file.py, beside this file
from result_file import write_result  # noqa: E402
sys.path.insert(0, str(HERE.parent / "src"))

from danqmotifs.core.alphabet import codes_to_onehot  # noqa: E402
from bench_gpu import write_random  # noqa: E402  (the same synthetic DeepSEA-sized file)


def _compiled(spec, seed=1):
    import keras

    from danqmotifs.model import build_model
    from danqmotifs.model.training import TrainSettings, compile_model

    keras.utils.set_random_seed(seed)
    model = build_model(spec)
    compile_model(model, TrainSettings(optimizer="rmsprop", learning_rate=0.001))
    return model


def _epoch_timer():
    import keras

    class EpochTimer(keras.callbacks.Callback):
        """Wall and CPU seconds of each epoch of a fit call."""

        def __init__(self):
            super().__init__()
            self.wall, self.cpu = [], []

        def on_epoch_begin(self, epoch, logs=None):
            self._t, self._c = time.perf_counter(), time.process_time()

        def on_epoch_end(self, epoch, logs=None):
            self.wall.append(time.perf_counter() - self._t)
            self.cpu.append(time.process_time() - self._c)

    return EpochTimer()


def throughput(label: str, model_cfg: dict, n: int, length: int, n_targets: int, epochs: int, tmp: Path,
               rounds: int = 2) -> dict:
    """Streaming vs in-memory, side by side: ``rounds`` alternating fit calls of 1 + ``epochs``
    epochs each; each call's first epoch (pipeline start, graph tracing) is not counted."""
    from danqmotifs.model import count_params, spec_from_config
    from danqmotifs.model.training import SplitSequence
    from danqmotifs.sources.datafile import DataReader

    path = tmp / f"{label}.h5"
    write_random(path, n, length, n_targets)
    spec = spec_from_config(model_cfg, length, n_targets)
    with DataReader(path) as r:
        codes, y = r.read(0, r.n)
    x_mem, y_mem = codes_to_onehot(codes), y.astype(np.float32)
    stream_model, mem_model = _compiled(spec), _compiled(spec)
    ds = SplitSequence(path, 100, shuffle=True, seed=1)
    done = {"stream": 0, "memory": 0}

    def run(name):
        timer = _epoch_timer()
        e0 = done[name]
        if name == "stream":
            stream_model.fit(ds.keras_dataset(first_epoch=e0), steps_per_epoch=len(ds), epochs=e0 + 1 + epochs,
                             initial_epoch=e0, verbose=0, shuffle=False, callbacks=[timer])
        else:
            mem_model.fit(x_mem, y_mem, batch_size=100, epochs=e0 + 1 + epochs, initial_epoch=e0, verbose=0,
                          shuffle=True, callbacks=[timer])
        done[name] += 1 + epochs
        return timer.wall[1:], timer.cpu[1:]

    times = {"stream": [], "memory": []}
    cpu = {"stream": [], "memory": []}
    for rnd in range(rounds):
        for name in ("stream", "memory") if rnd % 2 == 0 else ("memory", "stream"):
            w, c = run(name)
            times[name] += w
            cpu[name] += c
    ds.close()
    path.unlink()
    out = {k: dict(seq_per_s=n / float(np.median(v)), cpu_s_per_epoch=float(np.median(cpu[k])),
                   epoch_s=[round(t, 2) for t in v]) for k, v in times.items()}
    out["params"] = count_params(spec)
    out["n"], out["length"], out["n_targets"] = n, length, n_targets
    return out


CHILD = r'''
import json, os, sys, time
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
sys.path.insert(0, sys.argv[1])
from danqmotifs.model import spec_from_config, count_params
from danqmotifs.model.training import SplitSequence, configure_runtime
cfg = json.loads(sys.argv[2])
configure_runtime(1, 2)
sys.path.insert(0, sys.argv[3])
from bench_train import _compiled
ds = SplitSequence(cfg["path"], 100, shuffle=True, seed=1, steps=cfg["steps"])
spec = spec_from_config(cfg["model"], ds.length, ds.n_targets)
model = _compiled(spec)
t0 = time.perf_counter()
model.fit(ds.keras_dataset(), steps_per_epoch=len(ds), epochs=1, verbose=0, shuffle=False)
dt = time.perf_counter() - t0
# VmHWM: this process's own peak (getrusage's maxrss would include the parent's, copied at fork)
rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
print(json.dumps(dict(peak_rss_mb=rss, steps=cfg["steps"], seconds=dt, params=count_params(spec))))
'''


def peak_rss(path: Path, model_cfg: dict, steps: int) -> dict:
    r = subprocess.run([sys.executable, "-c", CHILD, str(HERE.parent / "src"),
                        json.dumps(dict(path=str(path), steps=steps, model=model_cfg)), str(HERE)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr[-2000:])
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer sequences, epochs and steps")
    ap.add_argument("--cases", nargs="*", default=None, help="throughput cases to run (danq, small)")
    ap.add_argument("--no-rss", action="store_true", help="skip the peak-RSS part")
    args = ap.parse_args()
    from danqmotifs.model.training import configure_runtime

    configure_runtime(1, 2)
    q = args.quick
    figures, ratios = [], []
    res = {}
    with tempfile.TemporaryDirectory(prefix="bench_train.") as d:
        tmp = Path(d)
        cases = [("danq", {"preset": "danq"}, 200 if q else 400, 1000, 919, 1 if q else 2),
                 ("small", {"preset": "small"}, 3000 if q else 12000, 200, 10, 1 if q else 2)]
        if args.cases:
            cases = [c for c in cases if c[0] in args.cases]
        for label, cfg, n, length, t, epochs in cases:
            r = throughput(label, cfg, n, length, t, epochs, tmp)
            res[label] = r
            print(f"{label}: {r['params']:,} parameters, {n} x {length} bp, {t} targets: "
                  f"streaming {r['stream']['seq_per_s']:.1f} seq/s (epochs {r['stream']['epoch_s']} s), "
                  f"in-memory {r['memory']['seq_per_s']:.1f} seq/s (epochs {r['memory']['epoch_s']} s)", flush=True)
            for k, what in (("stream", "streaming from the file"), ("memory", "in-memory numpy model.fit")):
                figures.append(dict(what=f"{label} ({n} x {length} bp, {t} targets): {what}",
                                    value=round(r[k]["seq_per_s"], 1), unit="sequences/s"))
                figures.append(dict(what=f"{label}: {what}, CPU time per epoch",
                                    value=round(r[k]["cpu_s_per_epoch"], 2), unit="s"))
            ratios.append(dict(what=f"{label}: streaming vs in-memory sequences/s",
                               value=round(r["stream"]["seq_per_s"] / r["memory"]["seq_per_s"], 3),
                               baseline="model.fit on in-memory numpy arrays"))

        big_n = 20000 if q else 200000
        if args.no_rss:
            big_n = 0
        small_n = 2000 if q else 20000
        steps = 50 if q else 300
        rss = {}
        for n in ((small_n, big_n) if big_n else ()):
            path = tmp / f"deepsea_{n}.h5"
            t0 = time.perf_counter()
            write_random(path, n, 1000, 919, seed=2)
            size = path.stat().st_size / 2**20
            print(f"wrote {n:,} x 1000 bp x 919 targets ({size:.0f} MiB) in {time.perf_counter() - t0:.0f} s", flush=True)
            r = peak_rss(path, {"preset": "small"}, steps)
            rss[n] = r
            print(f"  small architecture, {steps} steps: peak RSS {r['peak_rss_mb']:.0f} MB, "
                  f"{steps * 100 / r['seconds']:.0f} seq/s", flush=True)
            figures.append(dict(what=f"peak RSS, small preset at 1000 bp x 919 targets, {steps} steps, N={n:,}",
                                value=round(r["peak_rss_mb"]), unit="MB"))
            if n == big_n:
                dq = peak_rss(path, {"preset": "danq"}, 3 if q else 10)
                print(f"  full DanQ, {dq['steps']} steps: peak RSS {dq['peak_rss_mb']:.0f} MB, "
                      f"{dq['steps'] * 100 / dq['seconds']:.1f} seq/s", flush=True)
                figures.append(dict(what=f"peak RSS, full DanQ (46.9 M parameters), {dq['steps']} steps, N={n:,}",
                                    value=round(dq["peak_rss_mb"]), unit="MB"))
            path.unlink()
        if rss:
            ratios.append(dict(what=f"peak RSS at N={big_n:,} vs N={small_n:,} (flat = 1)",
                               value=round(rss[big_n]["peak_rss_mb"] / rss[small_n]["peak_rss_mb"], 3),
                               baseline=f"the same training at N={small_n:,}"))
    write_result("train", figures, ratios, machine=dict(cpus=os.cpu_count()), details=res)
    for f in figures:
        print(f"{f['what']}: {f['value']} {f['unit']}")
    for r in ratios:
        print(f"ratio {r['what']}: {r['value']}")


if __name__ == "__main__":
    main()
