"""Run every benchmark of the project and write benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/run_all.py [--quick] [--only NAME ...]

Each benchmarks/bench_<name>.py is run in its own process (so peak-memory figures are its own)
and writes benchmarks/out/<name>.json: {"name", "command", "figures": [{"what", "value", "unit"}],
"ratios": [{"what", "value", "baseline"}]}. This script gathers them with a description of the
machine into one Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def machine() -> str:
    import psutil

    gpu = "none"
    try:
        r = subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader"],
                           capture_output=True, text=True, timeout=20)
        if r.returncode == 0 and r.stdout.strip():
            gpu = r.stdout.strip().replace("\n", "; ")
    except (OSError, subprocess.TimeoutExpired):
        pass
    return (f"{platform.machine()}, {os.cpu_count()} cores, "
            f"{psutil.virtual_memory().total / 2**30:.1f} GiB memory, GPU: {gpu}, "
            f"Python {platform.python_version()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes (for a smoke run)")
    ap.add_argument("--only", nargs="*", default=None, help="benchmark names to run")
    ap.add_argument("--collect", action="store_true",
                    help="run nothing: gather the JSON files already in benchmarks/out/")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    benches = sorted(HERE.glob("bench_*.py"))
    if args.only:
        benches = [b for b in benches if b.stem[len("bench_"):] in args.only]
    results, failed = [], []
    for b in benches:
        name = b.stem[len("bench_"):]
        cmd = [sys.executable, str(b)] + (["--quick"] if args.quick else [])
        js = OUT / f"{name}.json"
        t0 = time.perf_counter()
        if not args.collect:
            print(f"== {name}: {' '.join(cmd)}", flush=True)
            if js.exists():
                js.unlink()
            r = subprocess.run(cmd)
        dt = time.perf_counter() - t0
        if (not args.collect and r.returncode != 0) or not js.exists():
            failed.append(name)
            continue
        res = json.loads(js.read_text())
        res["wall_s"] = dt
        results.append(res)
    lines = ["# Benchmark results", "",
             f"Machine: {machine()}", "",
             f"Produced by `{' '.join(['.venv/bin/python', 'benchmarks/run_all.py'] + (['--quick'] if args.quick else []) + (['--collect'] if args.collect else []))}` "
             f"on {time.strftime('%Y-%m-%d')}. Ratios are measured side by side in one run of each benchmark.", ""]
    for res in results:
        lines += [f"## {res['name']}", "", f"Command: `{res.get('command', '')}`", ""]
        if res.get("machine"):
            lines += [f"Measured on: {res['machine']}", ""]
        lines += [
                  "| what | value | unit |", "|---|---:|---|"]
        for f in res.get("figures", []):
            v = f["value"]
            vs = f"{v:.4g}" if isinstance(v, float) else str(v)
            lines.append(f"| {f['what']} | {vs} | {f.get('unit', '')} |")
        ratios = res.get("ratios") or res.get("ratio") or []
        for rt in ratios if isinstance(ratios, list) else []:
            lines.append(f"| ratio: {rt['what']} (vs {rt.get('baseline', 'baseline')}) | {rt['value']:.3g} | x |")
        lines.append("")
    if failed:
        lines += ["## Failed", "", ", ".join(failed), ""]
    (HERE / "RESULTS.md").write_text("\n".join(lines))
    print(f"wrote {HERE / 'RESULTS.md'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
